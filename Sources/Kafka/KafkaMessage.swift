/// A message read by ``KafkaConsumer``. Key and value are copies, independent of librdkafka, that
/// share one buffer per batch (see ``KafkaBytes``).
public struct KafkaMessage: Sendable {
    public var topic: String
    public var partition: Int
    public var offset: Int
    /// Nil when the message was produced without a key.
    public var key: KafkaBytes?
    public var value: KafkaBytes
    /// Create/log-append time in milliseconds since the Unix epoch, nil when the broker sent none.
    public var timestampMilliseconds: Int?

    public init(topic: String, partition: Int, offset: Int, key: KafkaBytes?, value: KafkaBytes, timestampMilliseconds: Int?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }

    /// The offset to commit once this message is processed: `offset + 1` in its partition.
    public var nextOffset: KafkaTopicPartitionOffset {
        KafkaTopicPartitionOffset(topicPartition, offset: offset + 1)
    }
}
