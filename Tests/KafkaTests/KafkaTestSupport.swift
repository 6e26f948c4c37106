import Foundation
import Kafka
import Logging
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the Kafka integration tests.
enum KafkaTest {
    /// Logs librdkafka's warnings and errors only, so test output stays readable.
    static let logger: Logger = {
        var logger = Logger(label: "coinflux.kafka.test")
        logger.logLevel = .warning
        return logger
    }()

    /// The broker started by `scripts/with-services.sh`.
    static func bootstrap() throws -> [String] {
        [try TestServices.require(TestServices.kafkaVariable)]
    }

    /// A topic or group name no other test (or earlier run) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func admin() throws -> KafkaAdmin {
        try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: bootstrap()), logger: logger)
    }

    static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: bootstrap()), logger: logger)
    }

    /// Produces message `index` of `indices` with key `key(index)` (none when nil) and value
    /// `value(index)`, with one producer, and waits until all are delivered.
    static func produce(
        _ indices: Range<Int>, to topic: String, key: (Int) -> String?, value: (Int) -> String
    ) async throws {
        let producer = try producer()
        for index in indices {
            try producer.send(topic: topic, key: key(index).map { Array($0.utf8) }, value: Array(value(index).utf8))
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
    }

    static func consumer(group: String, statistics: (@Sendable (KafkaStatistics) -> Void)? = nil) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: try bootstrap(), groupID: group)
        configuration.heartbeatInterval = .milliseconds(500)
        configuration.statisticsInterval = .milliseconds(200)
        return try KafkaConsumer(configuration: configuration, logger: logger, onStatistics: statistics)
    }

    /// Creates a topic with `partitions` partitions.
    static func createTopic(partitions: Int, prefix: String = "test") async throws -> String {
        let topic = uniqueName(prefix)
        try await admin().createTopic(topic, partitions: partitions)
        return topic
    }

    /// Polls `consumer` until `condition` holds for everything received so far, or throws after `timeout`.
    @discardableResult
    static func poll(
        _ consumer: KafkaConsumer,
        timeout: Duration = .seconds(30),
        until condition: ([KafkaMessage]) throws -> Bool
    ) async throws -> [KafkaMessage] {
        let deadline = ContinuousClock.now + timeout
        var received: [KafkaMessage] = []
        while try !condition(received) {
            guard ContinuousClock.now < deadline else {
                throw TestFailure(what: "timed out: condition not met after \(timeout) with \(received.count) messages received")
            }
            received += try await consumer.poll(maximumMessages: 10_000, timeout: .milliseconds(100))
        }
        return received
    }

    /// Waits until `condition` holds, checking every 50 ms, or throws after `timeout`.
    static func wait(
        _ what: String,
        timeout: Duration = .seconds(30),
        until condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure(what: "timed out: \(what) after \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The sum of the high watermarks of a topic's partitions.
    static func messageCount(topic: String, partitions: Int) async throws -> Int {
        let consumer = try consumer(group: uniqueName("watermarks"))
        var total = 0
        for partition in 0..<partitions {
            total += try await consumer.queryWatermarks(topic: topic, partition: partition).high
        }
        try await consumer.close()
        return total
    }

    /// `127.0.0.1:PORT` where nothing listens: a port the kernel handed out and that was closed again.
    static func closedLocalAddress() throws -> String {
        "127.0.0.1:\(try freeLoopbackPort())"
    }

    struct TestFailure: Error, CustomStringConvertible {
        var what: String
        var description: String { what }
    }
}

/// A value shared between concurrently running test tasks.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        value.withLock { body(&$0) }
    }
}
