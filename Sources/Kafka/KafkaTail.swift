import Logging

/// Reads the last messages of every partition of a topic: where a producer that restarts left off.
public enum KafkaTail {
    /// The last `count` messages (at most) of each partition of `topic`, as the partitions stood
    /// when the read began, oldest first per partition. Joins no group and commits nothing.
    /// - Parameters:
    ///   - configuration: bootstrap servers and extra properties (its group id is not used for offsets).
    ///   - timeout: bound of the whole read; what arrived by then is returned.
    /// - Throws: ``KafkaError`` when the topic's partitions or watermarks cannot be read.
    public static func read(
        topic: String, count: Int, configuration: KafkaConsumerConfiguration, timeout: Duration = .seconds(30),
        logger: Logger
    ) async throws -> [KafkaMessage] {
        guard count > 0 else { return [] }
        var adminConfiguration = KafkaAdminConfiguration(bootstrapServers: configuration.bootstrapServers)
        adminConfiguration.additionalProperties = configuration.additionalProperties
        let partitions = try await KafkaAdmin(configuration: adminConfiguration, logger: logger).partitions(of: topic)
        var readerConfiguration = configuration
        readerConfiguration.isAutoCommitEnabled = false
        readerConfiguration.caughtUpPause = .zero
        let consumer = try KafkaConsumer(configuration: readerConfiguration, logger: logger)
        var ends: [Int: Int] = [:]
        var starts: [KafkaTopicPartitionOffset] = []
        for partition in partitions {
            let watermarks = try await consumer.queryWatermarks(topic: topic, partition: partition)
            guard watermarks.high > watermarks.low else { continue }
            ends[partition] = watermarks.high
            starts.append(KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: max(watermarks.low, watermarks.high - count)))
        }
        guard !starts.isEmpty else {
            try? await consumer.close()
            return []
        }
        try consumer.assign(starts)
        var messages: [KafkaMessage] = []
        var reached: [Int: Int] = [:]
        let deadline = ContinuousClock.now + timeout
        while ends.contains(where: { (reached[$0.key] ?? 0) < $0.value }), ContinuousClock.now < deadline {
            for message in try await consumer.poll(maximumMessages: 2_000, timeout: .milliseconds(200))
            where message.offset < (ends[message.partition] ?? 0) {
                messages.append(message)
                reached[message.partition] = message.offset + 1
            }
        }
        try? await consumer.close()
        return messages
    }
}
