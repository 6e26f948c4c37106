/// One partition of one topic.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int

    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition. For commits the offset is the **next** offset to read
/// (last processed offset + 1), as Kafka defines it.
public struct KafkaTopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public var topicPartition: KafkaTopicPartition
    public var offset: Int

    public init(_ topicPartition: KafkaTopicPartition, offset: Int) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public init(topic: String, partition: Int, offset: Int) {
        self.init(KafkaTopicPartition(topic: topic, partition: partition), offset: offset)
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}

/// Low and high watermark of a partition: the first offset still stored and the offset the next
/// produced message will get.
public struct KafkaWatermarks: Hashable, Sendable {
    public var low: Int
    public var high: Int

    public init(low: Int, high: Int) {
        self.low = low
        self.high = high
    }
}

/// Consumer lag of one partition for a group.
public struct KafkaPartitionLag: Hashable, Sendable, CustomStringConvertible {
    public var topicPartition: KafkaTopicPartition
    public var watermarks: KafkaWatermarks
    /// The group's committed offset (next offset to read), nil when the group never committed one.
    public var committed: Int?

    public init(topicPartition: KafkaTopicPartition, watermarks: KafkaWatermarks, committed: Int?) {
        self.topicPartition = topicPartition
        self.watermarks = watermarks
        self.committed = committed
    }

    /// `high watermark − committed offset`; without a committed offset every stored message counts
    /// (`high − low`). Never negative.
    public var lag: Int {
        max(0, watermarks.high - (committed ?? watermarks.low))
    }

    public var description: String {
        "\(topicPartition) lag \(lag) (high \(watermarks.high), committed \(committed.map(String.init) ?? "none"))"
    }
}
