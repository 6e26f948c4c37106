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
    private let handle: RDKafkaPointer
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
            nil
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

    /// Fails every queued and in-flight message; their delivery reports say "purged".
    func purge() {
        rd_kafka_purge(handle.raw, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
    }

    // MARK: Consumer

    func subscribe(topics: [String]) throws {
        let partitions = topics.map { KafkaTopicPartition(topic: $0, partition: -1) }
        try RDKafkaTopicPartitionList.with(partitions) { list in
            let result = rd_kafka_subscribe(handle.raw, list)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError.rdKafka(result, "could not subscribe to \(topics)")
            }
        }
    }

    /// What one `consumeBatch` took from librdkafka.
    struct PolledBatch {
        var messages: [KafkaMessage]
        /// Partitions whose end was reached (`enable.partition.eof`), with the offset there.
        var partitionEnds: [KafkaTopicPartition: Int]
    }

    /// Returns up to `maximum` messages: waits up to `timeoutMilliseconds` for the first, then takes
    /// what is already fetched. Serves rebalance, error and statistics callbacks. Blocking; call from
    /// one thread at a time.
    func consumeBatch(maximum: Int, timeoutMilliseconds: Int32) throws -> PolledBatch {
        var batch = ConsumedBatch(capacity: min(maximum, 4096))
        var partitionEnds: [KafkaTopicPartition: Int] = [:]
        var topicCache: (pointer: OpaquePointer?, name: String)?
        events.revokedPartitions.withLock { $0.removeAll() }
        var wait = timeoutMilliseconds
        while batch.count < maximum {
            let revocationsBefore = events.revocations.load(ordering: .acquiring)
            let polled = rd_kafka_consumer_poll(handle.raw, wait)
            wait = 0
            let revoked = events.revocations.load(ordering: .acquiring) != revocationsBefore
            if revoked {
                // Partitions were revoked while this batch was collected: hand none of the messages
                // collected before out, their next owner (maybe this consumer) restarts at the
                // committed offset. Then return what is left, so the caller sees the change promptly.
                batch.drop(events.revokedPartitions.withLock { $0 })
            }
            guard let polled else { break }
            defer { rd_kafka_message_destroy(polled) }
            let rkt = polled.pointee.rkt
            if topicCache?.pointer != rkt {
                topicCache = (rkt, rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "")
            }
            switch polled.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                batch.append(polled, topic: topicCache?.name ?? "")
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                let partition = KafkaTopicPartition(topic: topicCache?.name ?? "", partition: Int(polled.pointee.partition))
                partitionEnds[partition] = Int(polled.pointee.offset)
            default:
                try consumerError(polled.pointee)
            }
            if revoked { break }
        }
        return PolledBatch(messages: batch.messages(), partitionEnds: partitionEnds)
    }

    /// Logs a consumer error event; throws only for fatal ones.
    private func consumerError(_ message: rd_kafka_message_t) throws {
        var error = KafkaError.rdKafka(message.err, "consumer error")
        if let payload = message.payload, message.len > 0 {
            error.message += ": " + String(decoding: UnsafeRawBufferPointer(start: payload, count: message.len), as: UTF8.self)
        }
        events.lastClientError.withLock { $0 = error.message }
        if message.err == RD_KAFKA_RESP_ERR__FATAL {
            throw error
        }
        events.logger.warning("\(error)")
    }

    /// Commits `offsets` (next offsets to read) and waits for the broker's answer. Blocking.
    func commit(_ offsets: [KafkaTopicPartitionOffset]) throws {
        try RDKafkaTopicPartitionList.with(offsets) { list in
            let result = rd_kafka_commit(handle.raw, list, 0)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw explained(KafkaError.rdKafka(result, "commit of \(offsets) failed"))
            }
        }
    }

    /// The group's committed offsets; partitions without one are absent. Blocking.
    func committed(_ partitions: [KafkaTopicPartition], timeoutMilliseconds: Int32) throws -> [KafkaTopicPartition: Int] {
        try RDKafkaTopicPartitionList.with(partitions) { list in
            let result = rd_kafka_committed(handle.raw, list, timeoutMilliseconds)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw explained(KafkaError.rdKafka(result, "could not fetch committed offsets"))
            }
            if let error = RDKafkaTopicPartitionList.firstError(in: list, "could not fetch the committed offset of") {
                throw error
            }
            var offsets: [KafkaTopicPartition: Int] = [:]
            for element in RDKafkaTopicPartitionList.elements(in: list) where element.offset >= 0 {
                offsets[element.topicPartition] = Int(element.offset)
            }
            return offsets
        }
    }

    /// Asks the partition leader for the watermarks. Blocking.
    func queryWatermarks(_ partition: KafkaTopicPartition, timeoutMilliseconds: Int32) throws -> KafkaWatermarks {
        guard let index = Int32(exactly: partition.partition) else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "invalid partition \(partition)")
        }
        var low: Int64 = 0
        var high: Int64 = 0
        let result = rd_kafka_query_watermark_offsets(handle.raw, partition.topic, index, &low, &high, timeoutMilliseconds)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw explained(KafkaError.rdKafka(result, "could not query the watermarks of \(partition)"))
        }
        return KafkaWatermarks(low: Int(low), high: Int(high))
    }

    func assignment() throws -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let result = rd_kafka_assignment(handle.raw, &list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
            throw KafkaError.rdKafka(result, "could not read the assignment")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafkaTopicPartitionList.partitions(in: list)
    }

    func pause(_ partitions: [KafkaTopicPartition]) throws {
        try RDKafkaTopicPartitionList.with(partitions) { list in
            let result = rd_kafka_pause_partitions(handle.raw, list)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError.rdKafka(result, "could not pause \(partitions)")
            }
            if let error = RDKafkaTopicPartitionList.firstError(in: list, "could not pause") {
                throw error
            }
        }
    }

    func resume(_ partitions: [KafkaTopicPartition]) throws {
        try RDKafkaTopicPartitionList.with(partitions) { list in
            let result = rd_kafka_resume_partitions(handle.raw, list)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError.rdKafka(result, "could not resume \(partitions)")
            }
            if let error = RDKafkaTopicPartitionList.firstError(in: list, "could not resume") {
                throw error
            }
        }
    }

    /// The next offset the application reads in each of `partitions` (last returned + 1); absent
    /// where nothing was returned yet. Local, never blocks.
    func positions(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int] {
        try RDKafkaTopicPartitionList.with(partitions) { list in
            let result = rd_kafka_position(handle.raw, list)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError.rdKafka(result, "could not read the positions of \(partitions)")
            }
            var positions: [KafkaTopicPartition: Int] = [:]
            for element in RDKafkaTopicPartitionList.elements(in: list) where element.offset >= 0 {
                positions[element.topicPartition] = Int(element.offset)
            }
            return positions
        }
    }

    /// The high watermark of `partition` as the last fetch answer gave it, without asking the
    /// broker; nil before the first answer. Local, never blocks.
    func lastSeenHighWatermark(_ partition: KafkaTopicPartition) -> Int? {
        guard let index = Int32(exactly: partition.partition) else { return nil }
        var low: Int64 = 0
        var high: Int64 = 0
        let result = rd_kafka_get_watermark_offsets(handle.raw, partition.topic, index, &low, &high)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return Int(high)
    }

    /// The offset the next produced message of each of `partitions` will get (the high
    /// watermark), asked of the leaders in one request per broker; absent where the broker
    /// reported an error. Blocking up to `timeoutMilliseconds`.
    func latestOffsets(_ partitions: [KafkaTopicPartition], timeoutMilliseconds: Int32) throws -> [KafkaTopicPartition: Int] {
        // Timestamp -1 asks ListOffsets for the latest offset.
        try RDKafkaTopicPartitionList.with(partitions.map { ($0, -1) }) { list in
            let result = rd_kafka_offsets_for_times(handle.raw, list, timeoutMilliseconds)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw explained(KafkaError.rdKafka(result, "could not read the latest offsets of \(partitions)"))
            }
            var offsets: [KafkaTopicPartition: Int] = [:]
            for element in RDKafkaTopicPartitionList.elements(in: list) where element.error == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
                offsets[element.topicPartition] = Int(element.offset)
            }
            return offsets
        }
    }

    /// Moves the fetch positions of assigned partitions. Blocking up to `timeoutMilliseconds`.
    func seek(_ positions: [KafkaTopicPartitionOffset], timeoutMilliseconds: Int32) throws {
        try RDKafkaTopicPartitionList.with(positions) { list in
            if let error = rd_kafka_seek_partitions(handle.raw, list, timeoutMilliseconds) {
                throw explained(KafkaError.consuming(error, "could not seek \(positions)"))
            }
            if let error = RDKafkaTopicPartitionList.firstError(in: list, "could not seek") {
                throw error
            }
        }
    }

    /// Leaves the group (revoking the assignment through the rebalance callback), giving up after
    /// `timeoutMilliseconds`: with the group coordinator unreachable librdkafka's own close can
    /// wait far longer. Blocking, at most about the timeout.
    /// - Returns: Whether the consumer closed in time (else it is left closing in the background).
    func closeConsumer(timeoutMilliseconds: Int32) throws -> Bool {
        guard let queue = rd_kafka_queue_new(handle.raw) else {
            throw KafkaError(code: .rdKafka, message: "could not allocate a queue to close the consumer")
        }
        defer { rd_kafka_queue_destroy(queue) }
        if let error = rd_kafka_consumer_close_queue(handle.raw, queue) {
            throw KafkaError.consuming(error, "consumer close failed")
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeoutMilliseconds)) * 1_000_000
        while rd_kafka_consumer_closed(handle.raw) == 0 {
            guard DispatchTime.now().uptimeNanoseconds < deadline else { return false }
            guard let event = rd_kafka_queue_poll(queue, 100) else { continue }
            defer { rd_kafka_event_destroy(event) }
            // The revocation arrives here as an event: give the partitions up, as the rebalance
            // callback would. Other events (errors, offset commits) need nothing at close.
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE,
               rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS {
                if rd_kafka_rebalance_protocol(handle.raw).map({ String(cString: $0) }) == "COOPERATIVE" {
                    if let error = rd_kafka_incremental_unassign(handle.raw, rd_kafka_event_topic_partition_list(event)) {
                        rd_kafka_error_destroy(error)
                    }
                } else {
                    rd_kafka_assign(handle.raw, nil)
                }
            }
        }
        return true
    }

    // MARK: Metadata and admin

    /// Partition ids of `topic` from cluster metadata. Blocking up to `timeoutMilliseconds`.
    func partitions(of topic: String, timeoutMilliseconds: Int32) throws -> [Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // all_topics=1: asking for one topic by handle could auto-create it.
        let result = rd_kafka_metadata(handle.raw, 1, nil, &metadata, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw explained(KafkaError.rdKafka(result, "could not fetch metadata for topic \(topic)"))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let found = topics.first(where: { $0.topic.map { String(cString: $0) } == topic }) else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic) does not exist")
        }
        if found.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError.rdKafka(found.err, "metadata for topic \(topic)")
        }
        let partitions = UnsafeBufferPointer(start: found.partitions, count: Int(found.partition_cnt))
        return partitions.map { Int($0.id) }.sorted()
    }

    /// Creates a topic and waits for the controller's answer. Blocking up to `timeoutMilliseconds` (plus a second).
    func createTopic(_ name: String, partitions: Int, replicationFactor: Int, timeoutMilliseconds: Int32) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(
            name, Int32(clamping: partitions), Int32(clamping: replicationFactor), &errorText, errorText.count)
        else {
            throw KafkaError(code: .rdKafka, message: "invalid topic \(name): \(String(cBuffer: errorText))")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        guard let options = rd_kafka_AdminOptions_new(handle.raw, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError(code: .rdKafka, message: "could not allocate admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        guard let queue = rd_kafka_queue_new(handle.raw) else {
            throw KafkaError(code: .rdKafka, message: "could not allocate a queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        var topicsToCreate: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(handle.raw, &topicsToCreate, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds &+ 1000) else {
            throw explained(KafkaError(code: .timedOut, message: "no answer to CreateTopics(\(name)) within \(timeoutMilliseconds) ms"))
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw explained(KafkaError.rdKafka(eventError, "CreateTopics(\(name)) failed"))
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: .rdKafka, message: "CreateTopics(\(name)): unexpected event \(rd_kafka_event_type(event))")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            guard let topicResult = results[index] else { continue }
            let error = rd_kafka_topic_result_error(topicResult)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                var failure = KafkaError.rdKafka(error, "could not create topic \(name)")
                if let detail = rd_kafka_topic_result_error_string(topicResult) {
                    failure.message += " (\(String(cString: detail)))"
                }
                throw failure
            }
        }
    }
}

extension String {
    /// Decodes a NUL-terminated C buffer filled by librdkafka.
    init(cBuffer: [CChar]) {
        self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
