/// Hooks through which ``InfluxWriter`` reports what it does, for metrics and readiness.
///
/// Every method has an empty default, so an implementation overrides only what it records.
/// Calls come from the writing tasks, concurrently: keep them cheap and non-blocking.
public protocol InfluxWriterMetrics: Sendable {
    /// One HTTP request finished (answered or failed).
    func requestFinished(_ report: RequestReport)
    /// A request will be sent again after `delay`, because of `health` (never `.healthy`).
    func retryScheduled(after delay: Duration, health: WriterHealth)
    /// Lines acknowledged by the server (each line counted once).
    func linesWritten(_ count: Int)
    /// Lines refused as bad and handed back to the caller (each line counted once).
    func linesRejected(_ count: Int)
    /// The writer's health changed; ``InfluxWriter/health`` holds the current value.
    func healthChanged(to health: WriterHealth)
}

extension InfluxWriterMetrics {
    public func requestFinished(_ report: RequestReport) {}
    public func retryScheduled(after delay: Duration, health: WriterHealth) {}
    public func linesWritten(_ count: Int) {}
    public func linesRejected(_ count: Int) {}
    public func healthChanged(to health: WriterHealth) {}
}

/// Metrics hooks that record nothing.
public struct NoInfluxWriterMetrics: InfluxWriterMetrics {
    /// Hooks that record nothing.
    public init() {}
}

/// One finished HTTP request.
public struct RequestReport: Sendable, Hashable {
    /// What it produced; ``AttemptResult/label`` is a ready metric label.
    public var result: AttemptResult
    /// From just before sending to the end of the response (compression not included).
    public var duration: Duration
    /// Lines in the request.
    public var lines: Int
    /// Uncompressed line-protocol bytes in the request.
    public var bytes: Int
    /// Body bytes on the wire (after gzip).
    public var bodyBytes: Int

    /// A report with the given values.
    public init(result: AttemptResult, duration: Duration, lines: Int, bytes: Int, bodyBytes: Int) {
        self.result = result
        self.duration = duration
        self.lines = lines
        self.bytes = bytes
        self.bodyBytes = bodyBytes
    }
}
