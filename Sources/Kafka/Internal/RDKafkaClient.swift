import CoinfluxCore
internal import CRdKafka
import Dispatch
import Synchronization

/// A librdkafka pointer that may cross threads. Only for objects librdkafka documents as
/// thread-safe (`rd_kafka_t` and `rd_kafka_topic_t` handles); never use it for anything else.
struct RDKafkaPointer: @unchecked Sendable {
    let raw: OpaquePointer
}

/// Owns one librdkafka client handle (`rd_kafka_t`) and the topic handles made from it, and is
/// the only place that calls librdkafka on them. Blocking methods are marked; callers run those
/// through a ``BlockingQueue``.
final class RDKafkaClient: Sendable {
    enum Kind: Sendable {
        case producer, consumer
        /// A producer-type handle used only for admin requests. Nothing polls its main queue, so it
        /// gets no callbacks that queue events there (librdkafka then logs errors instead).
        case admin
    }

    let events: RDKafkaEvents
    /// `bootstrap.servers`, for error messages.
    let bootstrapServers: String
    let handle: RDKafkaPointer
    private let topics = Mutex<[String: RDKafkaPointer]>([:])

    private init(handle: RDKafkaPointer, events: RDKafkaEvents, bootstrapServers: String) {
        self.handle = handle
        self.events = events
        self.bootstrapServers = bootstrapServers
    }

    /// Creates a client from librdkafka `properties`.
    /// - Throws: ``KafkaError/Code/invalidConfiguration`` naming the first property librdkafka rejects.
    static func make(kind: Kind, properties: [String: String], events: RDKafkaEvents) throws -> RDKafkaClient {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .rdKafka, message: "could not allocate a librdkafka configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = result == RD_KAFKA_CONF_UNKNOWN ? "unknown property" : "invalid value \"\(value)\""
                throw KafkaError(
                    code: .invalidConfiguration,
                    message: "Kafka property \"\(name)\": \(reason): \(String(cBuffer: errorText))"
                )
            }
        }
        events.install(on: conf, kind: kind)
        let type = kind == .consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER
        guard let raw = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)  // rd_kafka_new takes ownership only on success
            throw KafkaError(code: .invalidConfiguration, message: "could not create Kafka client: \(String(cBuffer: errorText))")
        }
        if kind == .consumer {
            // Route every callback (rebalance, errors, statistics) through the consumer queue,
            // which `consumeBatch` serves.
            rd_kafka_poll_set_consumer(raw)
        }
        return RDKafkaClient(
            handle: RDKafkaPointer(raw: raw),
            events: events,
            bootstrapServers: properties["bootstrap.servers"] ?? ""
        )
    }

    deinit {
        // rd_kafka_destroy may block (it joins librdkafka's threads, and leaves the group if the
        // consumer was not closed), so it never runs on the releasing thread, which may belong to
        // the cooperative pool. `events` is the callbacks' opaque and must outlive the handle.
        let (handle, topics, events) = (handle, topics.withLock { Array($0.values) }, events)
        DispatchQueue.global().async {
            for topic in topics {
                rd_kafka_topic_destroy(topic.raw)
            }
            rd_kafka_destroy(handle.raw)
            withExtendedLifetime(events) {}
        }
    }

    /// Adds the most recent client error (e.g. a refused connection) to timeouts and transport
    /// errors; when that error says a host name does not resolve, the code becomes
    /// ``KafkaError/Code/hostNotFound``.
    func explained(_ error: KafkaError) -> KafkaError {
        guard error.code == .timedOut || error.code == .brokerUnreachable else { return error }
        var explained = error
        explained.message += " (bootstrap servers \(bootstrapServers)"
        if let last = events.lastClientError.withLock({ $0 }) {
            explained.message += "; last client error: \(last)"
            // librdkafka's text for RD_KAFKA_RESP_ERR__RESOLVE ("Failed to resolve 'h:9092': …").
            if last.contains("Failed to resolve") { explained.code = .hostNotFound }
        }
        explained.message += ")"
        return explained
    }

    /// Asks any broker for cluster metadata (brokers only): succeeds when one answers. Blocking up
    /// to `timeoutMilliseconds`.
    func checkBrokers(timeoutMilliseconds: Int32) throws {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle.raw, 0, nil, &metadata, timeoutMilliseconds)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw explained(KafkaError.rdKafka(result, "no broker answered"))
        }
    }

    // MARK: Producer

    /// The producer's handle of topic `name`: made on first use, kept (and valid) until the client
    /// is destroyed.
    func topicHandle(_ name: String) throws -> RDKafkaPointer {
        try topics.withLock { topics in
            if let topic = topics[name] { return topic }
            guard let raw = rd_kafka_topic_new(handle.raw, name, nil) else {
                throw KafkaError.rdKafka(rd_kafka_last_error(), "invalid topic \"\(name)\"")
            }
            let topic = RDKafkaPointer(raw: raw)
            topics[name] = topic
            return topic
        }
    }

    /// Enqueues one message (librdkafka copies key and value). Never blocks.
    func produce(topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        try produce(to: topicHandle(topic), named: topic, key: key, value: value)
    }

    /// Enqueues one message to a topic handle of this client, from ``topicHandle(_:)``, whose name
    /// is `name` (for errors). Never blocks.
    func produce(to topic: RDKafkaPointer, named name: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        let result = rd_kafka_produce(
            topic.raw,
            -1,  // RD_KAFKA_PARTITION_UA: the partitioner picks by key
            RD_KAFKA_MSG_F_COPY,
            UnsafeMutableRawPointer(mutating: value.baseAddress),
            value.count,
            key?.baseAddress,
            key?.count ?? 0,
            // The send time, read back by the delivery report (RDKafkaEvents.deliveryReport).
            UnsafeMutableRawPointer(bitPattern: Int(monotonicNanoseconds()))
        )
        if result != 0 {
            throw KafkaError.rdKafka(rd_kafka_last_error(), "could not enqueue a message for \(name)")
        }
    }

    /// Serves queued callbacks (delivery reports, errors, statistics). Blocks up to `timeoutMilliseconds`.
    func poll(timeoutMilliseconds: Int32) {
        rd_kafka_poll(handle.raw, timeoutMilliseconds)
    }

    /// Waits until every queued message has a delivery report. Blocking.
    func flush(timeoutMilliseconds: Int32) throws {
        let result = rd_kafka_flush(handle.raw, timeoutMilliseconds)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw explained(KafkaError.rdKafka(result, "\(outQueueLength) messages undelivered after \(timeoutMilliseconds) ms"))
        }
    }

    /// Messages (and requests) not yet delivered or not yet reported.
    var outQueueLength: Int {
        Int(rd_kafka_outq_len(handle.raw))
    }

    /// The fatal error that stopped this client for good (an idempotent producer whose sequence
    /// the broker no longer matches, a fenced instance), or nil while it works.
    var fatalError: String? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle.raw, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Fails every queued and in-flight message; their delivery reports say "purged".
    func purge() {
        rd_kafka_purge(handle.raw, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
    }
}

extension String {
    /// Decodes a NUL-terminated C buffer filled by librdkafka.
    init(cBuffer: [CChar]) {
        self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
