import Kafka
import Logging
import Processor
import ProcessorCore

/// Produces dead letters to a Kafka topic, keyed by their kind.
public struct KafkaDeadLetterSink: DeadLetterSink {
    let producer: KafkaProducer
    let topic: String
    let logger: Logger

    public init(producer: KafkaProducer, topic: String, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.logger = logger
    }

    public func send(_ letter: DeadLetter) {
        do {
            try producer.send(topic: topic, key: letter.key, value: Array(letter.json.utf8))
        } catch {
            // The local queue is full: librdkafka is far behind. Logged with the letter itself so
            // it is not lost from sight; the producer metrics count the drop.
            logger.error("dead letter could not be queued", metadata: ["error": "\(error)", "dead_letter": "\(letter.json)"])
        }
    }

    public func flush() async throws(CancellationError) {
        while true {
            do {
                try await producer.flush(timeout: .seconds(10))
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("dead letters not yet delivered; offsets stay uncommitted until they are", metadata: ["error": "\(error)"])
                if Task.isCancelled { throw CancellationError() }
            }
        }
    }
}
