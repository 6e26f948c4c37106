import CoinfluxCore
import ProcessorCore

/// Where the processor's messages come from, and where their progress goes back: the Kafka ticks
/// topic as a consumer-group member, or the in-process queue of `coinflux run`. The processing
/// loop (``Processor``) is written against this seam only, so it is tested with a scripted source.
public protocol EventSource: Sendable {
    /// What is consumed, for metrics and dead letters (`market.ticks`, `in-process`).
    var topic: String { get }
    /// Whether messages stay in the source until committed (Kafka: a restart reads them again),
    /// or are gone once taken (the in-process queue: at shutdown the loop processes everything it
    /// took and everything still queued).
    var isDurable: Bool { get }
    /// Takes up to `maximum` messages, waiting up to `timeout` for the first, with the assignment
    /// changes seen before them. Throws only on fatal errors (or cancellation).
    func poll(maximum: Int, timeout: Duration) async throws -> SourceBatch
    /// Makes `coverage` durable: commits its next offsets for the partitions still owned.
    func commit(_ coverage: Coverage) async throws
    /// Stops (true) or resumes (false) fetching of every owned partition, now and as partitions
    /// are assigned; the loop keeps polling so the member stays in its group.
    func setPaused(_ paused: Bool) throws
    /// Work beside the loop for as long as the processor runs (Kafka: the FX topic, lag reports);
    /// returns when cancelled.
    func runAlongside() async
    /// Leaves the source (Kafka: the consumer group), within a bound of its own.
    func close() async
}

/// What one poll of an ``EventSource`` returned.
public struct SourceBatch: Sendable {
    /// Assignment changes that happened before `messages`, in order.
    public var changes: [PartitionChange]
    public var messages: [SourceMessage]
    /// Newer rates from outside the owned partitions (the FX topic), if one arrived.
    public var exchangeRates: ExchangeRates?

    public init(changes: [PartitionChange] = [], messages: [SourceMessage] = [], exchangeRates: ExchangeRates? = nil) {
        self.changes = changes
        self.messages = messages
        self.exchangeRates = exchangeRates
    }
}

/// A change of the partitions this processor owns.
public enum PartitionChange: Sendable, Equatable {
    /// `partition` is now owned; messages before `warmupEnd` were processed by an earlier owner
    /// and only rebuild state.
    case assigned(partition: Int, warmupEnd: Int?)
    /// `partitions` are no longer owned: their state and uncommitted offsets are dropped.
    case revoked(partitions: [Int])
}
