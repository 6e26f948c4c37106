import CoinfluxCore
import InfluxWriter
import Logging
import ProcessorCore

/// Writes one ``PointBatch`` and settles what depends on its acknowledgement: the dead letters
/// (undecodable messages, and lines InfluxDB refused, with the reason) are sent and flushed, and
/// the end-to-end lag of every event is recorded. The one door to the dead letters. Committing
/// offsets is the caller's last step.
struct BatchDelivery: Sendable {
    let writer: any PointWriter
    let deadLetters: any DeadLetterSink
    let metrics: ProcessorMetrics
    /// The source's topic, named in the dead letters of refused lines.
    let topic: String
    let logger: Logger

    /// Returns once everything in `batch` is stored (points written or dead-lettered).
    /// - Throws: `CancellationError` if cancelled first; then nothing may be committed.
    func deliver(_ batch: PointBatch) async throws(CancellationError) {
        var letters = batch.deadLetters
        if batch.lineCount > 0 {
            let outcome = try await writer.write(batch.lines.withUnsafeBytes { LineBatch(bytes: $0) })
            for rejected in outcome.rejected {
                let position = batch.lineSources.indices.contains(rejected.index)
                    ? batch.lineSources[rejected.index] : MessagePosition(partition: -1, offset: -1)
                letters.append(DeadLetter(
                    kind: .rejectedByInfluxDB, reason: "\(rejected.status): \(rejected.reason)",
                    source: DeadLetter.Source(topic: topic, partition: position.partition, offset: position.offset),
                    payload: rejected.line))
            }
            if let first = outcome.rejected.first {
                logger.warning("InfluxDB rejected points; sent to the dead letters", metadata: [
                    "count": "\(outcome.rejected.count)", "first_reason": "\(first.reason)",
                ])
            }
            let now = wallClockNanoseconds()
            for (exchange, eventTime) in batch.eventTimes {
                metrics.eventLag(exchange, seconds: Double(now - eventTime) / 1e9)
            }
        }
        guard !letters.isEmpty else { return }
        for letter in letters {
            deadLetters.send(letter)
            metrics.deadLettered(letter.kind)
        }
        try await deadLetters.flush()
    }
}
