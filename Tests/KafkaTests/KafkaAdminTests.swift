import Kafka
import Testing
import TestSupport

@Suite("Kafka admin against a real broker", .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
struct KafkaAdminTests {
    @Test("a topic created with 6 partitions has 6 partitions in the metadata")
    func createTopicWithSixPartitions() async throws {
        let admin = try KafkaTest.admin()
        let topic = KafkaTest.uniqueName("admin")

        try await admin.createTopic(topic, partitions: 6)

        #expect(try await admin.partitions(of: topic) == [0, 1, 2, 3, 4, 5])
    }

    @Test("creating an existing topic fails, unless existing topics are accepted")
    func existingTopic() async throws {
        let admin = try KafkaTest.admin()
        let topic = KafkaTest.uniqueName("admin-existing")
        try await admin.createTopic(topic, partitions: 2)

        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopic(topic, partitions: 2)
        }
        #expect(error?.code == .topicAlreadyExists)
        try await admin.createTopic(topic, partitions: 2, acceptExisting: true)
        #expect(try await admin.partitions(of: topic).count == 2)
    }

    @Test("the partitions of a missing topic are an error, and asking does not create it")
    func missingTopic() async throws {
        let admin = try KafkaTest.admin()
        let topic = KafkaTest.uniqueName("admin-missing")

        for _ in 0..<2 {
            let error = await #expect(throws: KafkaError.self) {
                try await admin.partitions(of: topic)
            }
            #expect(error?.code == .unknownTopicOrPartition)
        }
    }
}
