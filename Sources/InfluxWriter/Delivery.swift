import Foundation

/// Delivers one request-sized batch: sends it, and follows ``RetryPolicy`` until every line is
/// written or rejected — retrying, splitting in halves, rejecting single bad lines.
struct Delivery<Transport: WriteTransport>: Sendable {
    let transport: Transport
    let policy: RetryPolicy
    let health: HealthTracker
    let metrics: any InfluxWriterMetrics

    /// Writes `batch`, returning only when each line is written or rejected.
    /// - Throws: `CancellationError` when the task is cancelled; then nothing is claimed written.
    func deliver(_ batch: LineBatch) async throws(CancellationError) -> WriteOutcome {
        var failures = 0
        while true {
            try Self.checkCancellation()
            let start = ContinuousClock.now
            let (result, bodyBytes) = try await transport.send(batch)
            let duration = start.duration(to: .now)
            try Self.checkCancellation()
            metrics.requestFinished(
                RequestReport(result: result, duration: duration, lines: batch.count, bytes: batch.byteCount, bodyBytes: bodyBytes)
            )
            failures += 1
            var generator = SystemRandomNumberGenerator()
            let action = policy.action(
                after: result,
                lineCount: batch.count,
                failures: failures,
                now: Date().timeIntervalSince1970,
                using: &generator
            )
            switch action {
            case .done:
                health.update(.healthy)
                metrics.linesWritten(batch.count)
                return WriteOutcome(writtenLines: batch.count)
            case .retry(let delay, let failing):
                health.update(failing)
                metrics.retryScheduled(after: delay, health: failing)
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw CancellationError()
                }
            case .split:
                health.update(.healthy)
                let (first, second) = batch.halves()
                var outcome = try await deliver(first)
                outcome.merge(try await deliver(second))
                return outcome
            case .reject(let status, let reason):
                health.update(.healthy)
                metrics.linesRejected(batch.count)
                let rejected = batch.indices.map {
                    RejectedLine(index: $0, line: batch.line(at: $0), status: status, reason: reason)
                }
                return WriteOutcome(rejected: rejected)
            }
        }
    }

    private static func checkCancellation() throws(CancellationError) {
        if Task.isCancelled {
            throw CancellationError()
        }
    }
}
