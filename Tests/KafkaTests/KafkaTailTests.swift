import Kafka
import TestSupport
import Testing

/// Reading the last messages of every partition, as a restarting collector does.
@Suite("Kafka tail", .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)), .timeLimit(.minutes(2)))
struct KafkaTailTests {
    @Test("the last N messages of each partition, oldest first, no more; empty partitions give none")
    func lastMessagesPerPartition() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 4, prefix: "tail")
        // 12 messages on partitions 0..2 (keys hash apart), none on the fourth partition once it is known empty.
        try await KafkaTest.produce(0..<36, to: topic, key: { "k\($0 % 3)" }, value: { "m\($0)" })

        let configuration = KafkaConsumerConfiguration(bootstrapServers: try KafkaTest.bootstrap(), groupID: KafkaTest.uniqueName("tail"))
        let tail = try await KafkaTail.read(topic: topic, count: 5, configuration: configuration, logger: KafkaTest.logger)
        let byPartition = Dictionary(grouping: tail, by: \.partition)
        #expect(!byPartition.isEmpty && byPartition.count <= 3, "three keys fill at most three of the four partitions")
        for (partition, messages) in byPartition {
            // What was produced to this partition: the messages of the keys found in it, in order.
            let keys = Set(messages.compactMap { $0.key.map { String(decoding: Array($0), as: UTF8.self) } })
            let produced = (0..<36).filter { keys.contains("k\($0 % 3)") }.map { "m\($0)" }
            #expect(messages.map { String(decoding: Array($0.value), as: UTF8.self) } == Array(produced.suffix(5)),
                    "partition \(partition): the last five, oldest first")
            #expect(messages.map(\.offset) == Array((produced.count - 5)..<produced.count))
        }
        #expect(try await KafkaTail.read(topic: topic, count: 0, configuration: configuration, logger: KafkaTest.logger).isEmpty)
    }
}
