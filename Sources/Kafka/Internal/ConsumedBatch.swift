internal import CRdKafka

/// Collects consumed messages: their bytes go into one buffer for the whole batch, shared by the
/// ``KafkaBytes`` of every message (one allocation per batch instead of two per message).
struct ConsumedBatch {
    private struct Entry {
        var topic: String
        var partition: Int
        var offset: Int
        var key: Range<Int>?
        var value: Range<Int>
        var timestamp: Int?
    }

    private var entries: [Entry] = []
    private var bytes: [UInt8] = []

    init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    var count: Int { entries.count }

    /// Copies key, value and position of a consumed librdkafka message.
    mutating func append(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        let timestamp = rd_kafka_message_timestamp(message, nil)
        let key = message.pointee.key.map { copy(UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len)) }
        let value = message.pointee.payload.map { copy(UnsafeRawBufferPointer(start: $0, count: message.pointee.len)) }
        entries.append(
            Entry(
                topic: topic,
                partition: Int(message.pointee.partition),
                offset: Int(message.pointee.offset),
                key: key,
                value: value ?? bytes.endIndex..<bytes.endIndex,
                timestamp: timestamp >= 0 ? Int(timestamp) : nil
            )
        )
    }

    private mutating func copy(_ source: UnsafeRawBufferPointer) -> Range<Int> {
        let start = bytes.endIndex
        bytes.append(contentsOf: source)
        return start..<bytes.endIndex
    }

    /// Forgets the messages collected so far from `partitions`.
    mutating func drop(_ partitions: Set<KafkaTopicPartition>) {
        guard !partitions.isEmpty else { return }
        entries.removeAll { partitions.contains(KafkaTopicPartition(topic: $0.topic, partition: $0.partition)) }
    }

    consuming func messages() -> [KafkaMessage] {
        let bytes = bytes
        return [KafkaMessage](unsafeUninitializedCapacity: entries.count) { buffer, initialized in
            for entry in entries {
                buffer.initializeElement(
                    at: initialized,
                    to: KafkaMessage(
                        topic: entry.topic,
                        partition: entry.partition,
                        offset: entry.offset,
                        key: entry.key.map { KafkaBytes(storage: bytes, range: $0) },
                        value: KafkaBytes(storage: bytes, range: entry.value),
                        timestampMilliseconds: entry.timestamp
                    )
                )
                initialized += 1
            }
        }
    }
}
