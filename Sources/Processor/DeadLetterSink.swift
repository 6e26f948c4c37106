import Logging
import ProcessorCore

/// Where dead letters go: the dead-letter topic, or the log when there is no Kafka (`coinflux run`).
public protocol DeadLetterSink: Sendable {
    /// Queues one dead letter.
    func send(_ letter: DeadLetter)
    /// Returns once everything queued is stored (retrying until then; only cancellation stops it).
    func flush() async throws(CancellationError)
}

/// Logs dead letters (for `coinflux run` without Kafka).
public struct LogDeadLetterSink: DeadLetterSink {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(_ letter: DeadLetter) {
        logger.error("dead letter", metadata: ["dead_letter": "\(letter.json)"])
    }

    public func flush() async throws(CancellationError) {}
}
