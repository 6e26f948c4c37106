import Kafka
import Synchronization
import Testing
import TestSupport

@Suite("Kafka producer against a real broker", .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
struct KafkaProducerTests {
    @Test("100 000 keyed messages are all acknowledged and stored")
    func produceHundredThousand() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 6, prefix: "produce")
        let statistics = Shared<[KafkaStatistics]>([])
        var configuration = KafkaProducerConfiguration(bootstrapServers: try KafkaTest.bootstrap())
        configuration.statisticsInterval = .milliseconds(100)
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTest.logger) { report in
            statistics.withLock { $0.append(report) }
        }
        let count = 100_000
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: 180)

        for index in 0..<count {
            try producer.send(topic: topic, key: "key-\(index % 64)", value: value)
        }
        try await producer.flush(timeout: .seconds(60))
        let counters = producer.counters
        await producer.close()

        #expect(counters.enqueued == count)
        #expect(counters.delivered == count)
        #expect(counters.failed == 0)
        #expect(counters.dropped == 0)
        #expect(producer.lastDeliveryError == nil)
        #expect(try await KafkaTest.messageCount(topic: topic, partitions: 6) == count)
        let reports = statistics.withLock { $0 }
        #expect(!reports.isEmpty)
        #expect(reports.last?.summary?.transmittedMessages ?? 0 > 0)
    }

    @Test("each delivered message reports its send-to-acknowledgement time, linger included")
    func deliveryLatency() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 1, prefix: "produce-latency")
        var configuration = KafkaProducerConfiguration(bootstrapServers: try KafkaTest.bootstrap())
        configuration.linger = .milliseconds(200)
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTest.logger)
        let latencies = Shared<[Duration]>([])
        producer.onDelivery { latency in latencies.withLock { $0.append(latency) } }

        // Connect first, so the measured messages wait for the linger, not for the connection.
        try producer.send(topic: topic, key: "warm-up", value: [1])
        try await producer.flush(timeout: .seconds(30))
        let start = ContinuousClock.now
        for index in 0..<5 {
            try producer.send(topic: topic, key: "key-\(index)", value: [UInt8(index)])
        }
        // Not flush(): librdkafka sends at once when flushing, whatever the linger.
        while producer.counters.delivered < 6, ContinuousClock.now - start < .seconds(30) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = ContinuousClock.now - start
        await producer.close()

        let measured = latencies.withLock { $0 }
        #expect(measured.count == 6)
        // The five waited for the 200 ms linger in one batch; none can have taken longer than the wait.
        for latency in measured.suffix(5) {
            #expect(latency >= .milliseconds(190))
            #expect(latency <= elapsed)
        }
    }

    @Test("messages without a key and with byte keys are delivered too")
    func keyVariants() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 2, prefix: "produce-keys")
        let producer = try KafkaTest.producer()

        try producer.send(topic: topic, key: nil, value: Array("no key".utf8))
        try producer.send(topic: topic, key: [1, 2, 3], value: Array("byte key".utf8))
        try producer.send(topic: topic, key: "text", value: [])
        try await producer.flush(timeout: .seconds(30))

        #expect(producer.counters.delivered == 3)
        let consumer = try KafkaTest.consumer(group: KafkaTest.uniqueName("keys"))
        try consumer.subscribe(topics: [topic])
        let messages = try await KafkaTest.poll(consumer) { $0.count >= 3 }
        let byValue = Dictionary(messages.map { ($0.value.description, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byValue.count == 3)
        #expect(byValue["no key"]?.key == nil)
        #expect(byValue["byte key"]?.key.map(Array.init) == [1, 2, 3])
        #expect(byValue[""]?.key == KafkaBytes(Array("text".utf8)))
        #expect(messages.allSatisfy { $0.topic == topic && $0.timestampMilliseconds != nil })
        try await consumer.close()
        await producer.close()
    }

    @Test("a topic looked up once is sent to like one named; another producer's topic is refused and counted")
    func topicLookedUpOnce() async throws {
        let name = try await KafkaTest.createTopic(partitions: 2, prefix: "produce-topic")
        let producer = try KafkaTest.producer()
        let other = try KafkaTest.producer()
        let topic = try producer.topic(name)
        #expect(topic.name == name)

        try producer.send(to: topic, key: "text", value: Array("looked up".utf8))
        try Array("raw".utf8).withUnsafeBytes { value in
            try producer.send(to: topic, key: nil, value: value)
        }
        #expect(throws: KafkaError.self) { try other.send(to: topic, key: "text", value: [1]) }
        try await producer.flush(timeout: .seconds(30))

        #expect(producer.counters.delivered == 2)
        #expect(other.counters.dropped == 1)
        #expect(try await KafkaTest.messageCount(topic: name, partitions: 2) == 2)
        await producer.close()
        await other.close()
    }
}
