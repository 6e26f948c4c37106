import Kafka
import Testing

/// Failures that need no broker: bad configuration, and a broker address where nothing listens.
@Suite("Kafka errors")
struct KafkaErrorTests {
    @Test("an unknown librdkafka property is rejected, naming it")
    func unknownProperty() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:9"])
        configuration.additionalProperties = ["no.such.property": "1"]

        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: configuration, logger: KafkaTest.logger)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("no.such.property") == true)
    }

    @Test("an invalid value of a librdkafka property is rejected, naming the property")
    func invalidValue() throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: ["127.0.0.1:9"], groupID: "g")
        configuration.additionalProperties = ["fetch.wait.max.ms": "soon"]

        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(configuration: configuration, logger: KafkaTest.logger)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("fetch.wait.max.ms") == true)
    }

    @Test("additional properties reach librdkafka and override the typed fields")
    func additionalPropertiesAreApplied() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:9"])
        configuration.additionalProperties = ["compression.codec": "zstd", "acks": "1"]
        // librdkafka refuses acks=1 with idempotence: proof the override reached it.
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: configuration, logger: KafkaTest.logger)
        }
        #expect(error?.code == .invalidConfiguration)
        configuration.isIdempotent = false
        _ = try KafkaProducer(configuration: configuration, logger: KafkaTest.logger)
    }

    @Test("an unreachable broker yields a clear error within a bounded time")
    func unreachableBroker() async throws {
        let address = try KafkaTest.closedLocalAddress()
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: [address]), logger: KafkaTest.logger)
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: [address], groupID: "unreachable"),
            logger: KafkaTest.logger
        )
        let clock = ContinuousClock()

        var errors: [KafkaError?] = []
        let elapsed = await clock.measure {
            errors.append(
                await #expect(throws: KafkaError.self) {
                    try await admin.createTopic("t", partitions: 1, timeout: .seconds(2))
                })
            errors.append(
                await #expect(throws: KafkaError.self) {
                    try await admin.partitions(of: "t", timeout: .seconds(2))
                })
            errors.append(
                await #expect(throws: KafkaError.self) {
                    try await consumer.queryWatermarks(topic: "t", partition: 0, timeout: .seconds(2))
                })
        }

        #expect(elapsed < .seconds(15))
        for error in errors {
            #expect(error?.code == .timedOut || error?.code == .brokerUnreachable)
            #expect(error?.message.contains(address) == true, "\(String(describing: error))")
        }
        try await consumer.close()
    }

    @Test("with an unreachable broker, a full queue refuses messages and undelivered ones are counted")
    func unreachableBrokerCountsDrops() async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [try KafkaTest.closedLocalAddress()])
        configuration.maximumQueuedMessages = 10
        configuration.deliveryTimeout = .milliseconds(500)
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTest.logger)

        for index in 0..<10 {
            try producer.send(topic: "t", key: "k", value: [UInt8(index)])
        }
        let error = #expect(throws: KafkaError.self) {
            try producer.send(topic: "t", key: "k", value: [99])
        }
        #expect(error?.code == .queueFull)

        // The messages time out after 0.5 s (librdkafka checks every second), so each gets a
        // delivery report within the flush: all counted failed.
        try await producer.flush(timeout: .seconds(5))
        await producer.close(timeout: .seconds(1))
        let counters = producer.counters
        #expect(counters.enqueued == 10)
        #expect(counters.dropped == 1)
        #expect(counters.failed == 10)
        #expect(counters.delivered == 0)
        #expect(producer.lastDeliveryError?.code == .timedOut)
        let afterClose = #expect(throws: KafkaError.self) {
            try producer.send(topic: "t", key: "k", value: [1])
        }
        #expect(afterClose?.code == .closed)
    }
}
