@testable import Kafka
import Testing

/// Value types and the configuration mapping; no broker needed.
@Suite("Kafka values and configuration")
struct KafkaValueTests {
    @Test("KafkaBytes is a zero-based view compared by content")
    func bytesView() {
        let storage: [UInt8] = Array("keyvalue".utf8)
        let value = KafkaBytes(storage: storage, range: 3..<8)

        #expect(value.startIndex == 0)
        #expect(value.count == 5)
        #expect(value[0] == UInt8(ascii: "v"))
        #expect(Array(value) == Array("value".utf8))
        #expect(value == KafkaBytes(Array("value".utf8)))
        #expect(value.hashValue == KafkaBytes(Array("value".utf8)).hashValue)
        #expect(value != KafkaBytes(storage: storage, range: 0..<3))
        #expect(value.description == "value")
        #expect(value.withUnsafeBytes { $0.count } == 5)
    }

    @Test("lag is high watermark minus committed offset, or everything stored without a commit")
    func lagArithmetic() {
        let partition = KafkaTopicPartition(topic: "t", partition: 0)
        #expect(KafkaPartitionLag(topicPartition: partition, watermarks: .init(low: 5, high: 100), committed: 60).lag == 40)
        #expect(KafkaPartitionLag(topicPartition: partition, watermarks: .init(low: 5, high: 100), committed: nil).lag == 95)
        #expect(KafkaPartitionLag(topicPartition: partition, watermarks: .init(low: 0, high: 10), committed: 12).lag == 0)
    }

    @Test("producer defaults: idempotent, acks=all, lz4, small linger, one request in flight, bounded queue")
    func producerProperties() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["a:1", "b:2"])
        configuration.statisticsInterval = .seconds(5)
        let properties = configuration.rdKafkaProperties(withStatistics: true)

        #expect(properties["bootstrap.servers"] == "a:1,b:2")
        #expect(properties["enable.idempotence"] == "true")
        #expect(properties["acks"] == "all")
        #expect(properties["compression.codec"] == "lz4")
        #expect(properties["linger.ms"] == "5")
        #expect(properties["max.in.flight.requests.per.connection"] == "1")
        #expect(properties["queue.buffering.max.messages"] == "100000")
        #expect(properties["statistics.interval.ms"] == "5000")
        #expect(configuration.rdKafkaProperties(withStatistics: false)["statistics.interval.ms"] == nil)
    }

    @Test("consumer defaults: explicit commits only; additional properties override")
    func consumerProperties() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: ["a:1"], groupID: "g")
        configuration.additionalProperties = ["auto.offset.reset": "latest", "fetch.wait.max.ms": "50"]
        let properties = configuration.rdKafkaProperties(withStatistics: false)

        #expect(properties["group.id"] == "g")
        #expect(properties["enable.auto.commit"] == "false")
        #expect(properties["enable.auto.offset.store"] == "false")
        #expect(properties["auto.offset.reset"] == "latest")
        #expect(properties["fetch.wait.max.ms"] == "50")
        // A full prefetch queue waits fetch.error.backoff.ms in librdkafka 2.0: short, not 500 ms.
        #expect(properties["fetch.error.backoff.ms"] == "20")
        #expect(properties["enable.partition.eof"] == "true")
    }

    @Test("durations become whole milliseconds, rounded up and clamped")
    func milliseconds() {
        #expect(Duration.microseconds(1500).rdKafkaMilliseconds == 2)
        #expect(Duration.seconds(-1).rdKafkaMilliseconds == 0)
        #expect(Duration.seconds(1e12).rdKafkaMilliseconds == Int32.max)
    }
}
