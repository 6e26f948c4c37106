extension KafkaProducer {
    /// A destination topic looked up once. Sending to it skips the by-name lookup (a lock and a
    /// hash of the name) that every `send(topic: String, …)` does: for a producer that sends every
    /// message to one of a few fixed topics, such as the collector's.
    ///
    /// Made by ``KafkaProducer/topic(_:)``; only the producer that made it sends to it. A class, so
    /// that handing it to `send` for every message costs at most one reference count.
    public final class Topic: Sendable {
        /// The topic's name.
        public let name: String
        /// librdkafka's handle, owned by `client` until it is destroyed.
        let handle: RDKafkaPointer
        /// The client the handle belongs to, kept alive with it.
        let client: RDKafkaClient

        init(name: String, handle: RDKafkaPointer, client: RDKafkaClient) {
            self.name = name
            self.handle = handle
            self.client = client
        }
    }

    /// The topic `name`, looked up once for ``send(to:key:value:)``.
    /// - Throws: ``KafkaError`` when librdkafka refuses the name.
    public func topic(_ name: String) throws -> Topic {
        Topic(name: name, handle: try client.topicHandle(name), client: client)
    }

    /// Enqueues one message to `topic`; librdkafka copies the bytes. Never blocks. Errors and
    /// counting as the raw-buffer `send(topic:key:value:)`, and
    /// ``KafkaError/Code/unknownTopicOrPartition`` for a topic another producer made.
    public func send(to topic: Topic, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        try enqueue(to: topic.name) {
            guard topic.client === client else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic.name) belongs to another producer")
            }
            try client.produce(to: topic.handle, named: topic.name, key: key, value: value)
        }
    }

    /// Enqueues one message with a UTF-8 string key to `topic`. See the raw-buffer `send(to:key:value:)`.
    public func send(to topic: Topic, key: String, value: [UInt8]) throws {
        var key = key
        try key.withUTF8 { key in
            try value.withUnsafeBytes { value in
                try send(to: topic, key: UnsafeRawBufferPointer(key), value: value)
            }
        }
    }
}
