internal import CRdKafka

/// Conversions between Swift values and librdkafka's `rd_kafka_topic_partition_list_t`.
enum RDKafkaTopicPartitionList {
    /// Offset value librdkafka uses for "no offset" (`RD_KAFKA_OFFSET_INVALID`).
    static let invalidOffset: Int64 = -1001

    /// Builds a list of `entries` (offset nil leaves librdkafka's default), runs `body` with it, destroys it.
    /// The list pointer must not escape `body`.
    static func with<Result>(
        _ entries: [(topicPartition: KafkaTopicPartition, offset: Int?)],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> Result
    ) throws -> Result {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: entries.count)) else {
            throw KafkaError(code: .rdKafka, message: "could not allocate a partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in entries {
            guard let partition = Int32(exactly: entry.topicPartition.partition),
                let element = rd_kafka_topic_partition_list_add(list, entry.topicPartition.topic, partition)
            else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "invalid partition \(entry.topicPartition)")
            }
            if let offset = entry.offset {
                element.pointee.offset = Int64(offset)
            }
        }
        return try body(list)
    }

    static func with<Result>(
        _ partitions: [KafkaTopicPartition],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> Result
    ) throws -> Result {
        try with(partitions.map { ($0, nil) }, body)
    }

    static func with<Result>(
        _ offsets: [KafkaTopicPartitionOffset],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> Result
    ) throws -> Result {
        try with(offsets.map { ($0.topicPartition, $0.offset) }, body)
    }

    /// The elements of `list` with their offsets and per-partition errors.
    static func elements(
        in list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> [(topicPartition: KafkaTopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        guard let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            let topic = element.topic.map { String(cString: $0) } ?? ""
            return (KafkaTopicPartition(topic: topic, partition: Int(element.partition)), element.offset, element.err)
        }
    }

    static func partitions(in list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartition] {
        elements(in: list).map(\.topicPartition)
    }

    /// The first per-partition error in `list`, as a ``KafkaError``, or nil.
    static func firstError(in list: UnsafePointer<rd_kafka_topic_partition_list_t>, _ context: String) -> KafkaError? {
        guard let failed = elements(in: list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) else { return nil }
        return KafkaError.rdKafka(failed.error, "\(context) \(failed.topicPartition)")
    }
}
