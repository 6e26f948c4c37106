import InfluxWriter

/// Where processed points go: InfluxDB, or a line-protocol file when `coinflux run` has no
/// InfluxDB configured.
public protocol PointWriter: Sendable {
    /// Writes `batch`; returns when every line is written or rejected (retrying transient
    /// failures without end). Throws only on cancellation.
    func write(_ batch: LineBatch) async throws(CancellationError) -> WriteOutcome
    /// Whether writes get through now; anything but `.healthy` pauses intake.
    var health: WriterHealth { get }
}

extension InfluxWriter: PointWriter {}

extension PointWriter {
    /// Why writes are not getting through (`unavailable: connection refused`), or nil when healthy:
    /// the `/readyz` check of a processor.
    public var notReadyReason: String? {
        let health = health
        return health.isFailing ? "\(health.name): \(health.reason)" : nil
    }
}
