internal import CRdKafka
import Dispatch
import Synchronization

/// The consumer side of the client: batch polls, commits, offsets, pause and resume, close.
extension RDKafkaClient {
    /// Reads exactly these partitions from these offsets, outside any group's assignment.
    func assign(_ offsets: [KafkaTopicPartitionOffset]) throws {
        try RDKafkaTopicPartitionList.with(offsets) { list in
            let result = rd_kafka_assign(handle.raw, list)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError.rdKafka(result, "could not assign \(offsets)")
            }
        }
    }

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
        try offsets(forTimes: Dictionary(partitions.map { ($0, -1) }) { $1 }, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Per partition, the earliest offset whose message timestamp is at or after the given time
    /// (milliseconds since the epoch; -1: the latest offset), asked of the leaders; absent where
    /// the broker reported an error or no message is that new. Blocking up to `timeoutMilliseconds`.
    func offsets(forTimes times: [KafkaTopicPartition: Int], timeoutMilliseconds: Int32) throws -> [KafkaTopicPartition: Int] {
        try RDKafkaTopicPartitionList.with(times.map { ($0.key, $0.value) }) { list in
            let result = rd_kafka_offsets_for_times(handle.raw, list, timeoutMilliseconds)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw explained(KafkaError.rdKafka(result, "could not read the offsets for times of \(Array(times.keys))"))
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
}
