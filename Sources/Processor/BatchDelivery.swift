import CoinfluxCore
import InfluxWriter
import Logging

/// Writes one ``PointBatch`` and settles what depends on its acknowledgement: lines InfluxDB
/// refused go to the dead letters with the reason, dead letters are flushed, and the end-to-end
/// lag of every event is recorded. Committing offsets is the caller's last step.
struct BatchDelivery: Sendable {
    let writer: any PointWriter
    let deadLetters: any DeadLetterSink
    let metrics: ProcessorMetrics
    let ticksTopic: String
    let logger: Logger

    /// Returns once everything in `batch` is stored (points written or dead-lettered).
    /// - Throws: `CancellationError` if cancelled first; then nothing may be committed.
    func deliver(_ batch: PointBatch) async throws(CancellationError) {
        var deadLettered = batch.deadLetters
        if batch.lineCount > 0 {
            let outcome = try await writer.write(batch.lineBatch())
            for rejected in outcome.rejected {
                let position = batch.lineSources.indices.contains(rejected.index)
                    ? batch.lineSources[rejected.index] : MessagePosition(partition: -1, offset: -1)
                let source = DeadLetter.Source(topic: ticksTopic, partition: position.partition, offset: position.offset)
                deadLetters.send(DeadLetter(
                    kind: .rejectedByInfluxDB, reason: "\(rejected.status): \(rejected.reason)", source: source, payload: rejected.line))
            }
            if !outcome.rejected.isEmpty {
                metrics.deadLetteredRejected.increment(by: Int64(outcome.rejected.count))
                logger.warning("InfluxDB rejected points; sent to the dead letters", metadata: [
                    "count": "\(outcome.rejected.count)", "first_reason": "\(outcome.rejected[0].reason)",
                ])
                deadLettered += outcome.rejected.count
            }
            let now = wallClockNanoseconds()
            for (exchange, eventTime) in batch.eventTimes {
                metrics.eventLag(exchange, seconds: Double(now - eventTime) / 1e9)
            }
        }
        if deadLettered > 0 {
            try await deadLetters.flush()
        }
    }
}
