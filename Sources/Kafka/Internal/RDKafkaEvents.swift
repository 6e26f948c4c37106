import CoinfluxCore
internal import CRdKafka
import Logging
import Synchronization

/// A callback installed after the client was created, kept in a struct: a bare function value in a
/// `Mutex`, read with `withLock { $0 }`, gained a reabstraction thunk at every read, so a callback
/// read per delivery report slowed down with every message (the delivery thread spent 70 % of a core
/// in nested `Duration` thunks after 12 s at 2 000 messages/s).
struct Callback<Argument>: Sendable {
    let call: @Sendable (Argument) -> Void
}

/// The Swift side of librdkafka's callbacks for one client, reached through the client's opaque
/// pointer (`rd_kafka_opaque`). Delivery, error, statistics and rebalance callbacks run on the thread
/// that polls the client (the producer's poll thread, the consumer's poll queue); log callbacks may
/// run on librdkafka's internal threads. Everything here is therefore atomic or lock-protected.
final class RDKafkaEvents: Sendable {
    let logger: Logger
    let statisticsHandler: (@Sendable (KafkaStatistics) -> Void)?

    /// Producer: delivery reports that said "delivered".
    let delivered = Atomic<Int>(0)
    /// Producer: delivery reports that said "failed" (timed out, purged, rejected by the broker).
    let failed = Atomic<Int>(0)
    /// Producer: the most recent failed delivery report.
    let lastDeliveryError = Mutex<KafkaError?>(nil)
    /// Producer: told about every message that could not be delivered, with its bytes.
    let deliveryFailureHandler = Mutex<Callback<KafkaFailedDelivery>?>(nil)
    /// Producer: told, for every delivered message, how long it took from `send` to the broker's
    /// acknowledgement being served.
    let deliveryLatencyHandler = Mutex<Callback<Duration>?>(nil)
    /// The most recent client-level error (from the error callback or an error-level log line),
    /// used to explain timeouts, e.g. "Connect to ipv4#127.0.0.1:1 failed: Connection refused".
    let lastClientError = Mutex<String?>(nil)

    /// Consumer: told about assignment changes.
    let rebalanceHandler = Mutex<Callback<KafkaRebalanceEvent>?>(nil)
    /// Consumer: how many messages before the committed offset an assigned partition starts.
    let rewindOnAssign = Atomic<Int>(0)
    /// Consumer: bumped on every revocation, so a batch being collected can notice one.
    let revocations = Atomic<Int>(0)
    /// Consumer: partitions revoked since the batch collector last looked.
    let revokedPartitions = Mutex<Set<KafkaTopicPartition>>([])

    init(logger: Logger, statisticsHandler: (@Sendable (KafkaStatistics) -> Void)?) {
        self.logger = logger
        self.statisticsHandler = statisticsHandler
    }

    /// The events object of a client handle (set with `rd_kafka_conf_set_opaque` at creation).
    static func of(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaEvents? {
        opaque.map { Unmanaged<RDKafkaEvents>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Installs the callbacks on `conf`; the caller keeps `self` alive for the life of the handle.
    func install(on conf: OpaquePointer, kind: RDKafkaClient.Kind) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let events = RDKafkaEvents.of(rd_kafka_opaque(handle)) else { return }
            events.log(level: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
        }
        switch kind {
        case .admin:
            return  // no error, statistics or delivery events: nothing polls an admin handle's queue
        case .producer:
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let events = RDKafkaEvents.of(opaque) else { return }
                events.deliveryReport(message.pointee)
            }
        case .consumer:
            rd_kafka_conf_set_rebalance_cb(conf) { handle, error, partitions, opaque in
                guard let handle, let events = RDKafkaEvents.of(opaque) else { return }
                events.rebalance(handle, error, partitions)
            }
        }
        rd_kafka_conf_set_error_cb(conf) { _, error, reason, opaque in
            RDKafkaEvents.of(opaque)?.clientError(rd_kafka_resp_err_t(rawValue: error), reason: reason.map { String(cString: $0) } ?? "")
        }
        if statisticsHandler != nil {
            rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
                guard let json, let events = RDKafkaEvents.of(opaque) else { return 0 }
                let text = String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
                events.statisticsHandler?(KafkaStatistics(json: text))
                return 0  // librdkafka frees the JSON buffer
            }
        }
    }

    private func log(level: Int32, facility: String, message: String) {
        let metadata: Logger.Metadata = ["kafka.facility": .string(facility)]
        switch level {
        case ...3:
            // Drop librdkafka's "[thrd:NAME]: " prefix: the message repeats the broker name anyway.
            let text = message.hasPrefix("[thrd:") ? message.firstRange(of: "]: ").map { String(message[$0.upperBound...]) } ?? message : message
            lastClientError.withLock { $0 = text }
            logger.error("\(message)", metadata: metadata)
        case 4:
            logger.warning("\(message)", metadata: metadata)
        case 5, 6:
            logger.info("\(message)", metadata: metadata)
        default:
            logger.debug("\(message)", metadata: metadata)
        }
    }

    private func clientError(_ error: rd_kafka_resp_err_t, reason: String) {
        lastClientError.withLock { $0 = reason }
        logger.warning("librdkafka error: \(reason)", metadata: ["kafka.error": .string(String(cString: rd_kafka_err2name(error)))])
    }

    private func deliveryReport(_ message: rd_kafka_message_t) {
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            delivered.add(1, ordering: .relaxed)
            // The message's opaque is the monotonic time of its `send` (RDKafkaClient.produce).
            if let handler = deliveryLatencyHandler.withLock({ $0 }), let sent = message._private {
                handler.call(.nanoseconds(monotonicNanoseconds() - Int64(Int(bitPattern: sent))))
            }
            return
        }
        failed.add(1, ordering: .relaxed)
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
        let error = KafkaError.rdKafka(message.err, "delivery to \(topic) failed")
        lastDeliveryError.withLock { $0 = error }
        if let handler = deliveryFailureHandler.withLock({ $0 }) {
            let value = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
            let key = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
            handler.call(KafkaFailedDelivery(topic: topic, key: key, value: value, error: error))
        }
    }

    private func rebalance(
        _ handle: OpaquePointer,
        _ error: rd_kafka_resp_err_t,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let partitions = list.map { RDKafkaTopicPartitionList.partitions(in: $0) } ?? []
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        let handler = rebalanceHandler.withLock { $0 }
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let rewind = rewindOnAssign.load(ordering: .relaxed)
            let rewound = rewind > 0 ? list.map { self.rewind($0, by: rewind, handle: handle) } ?? [:] : [:]
            if cooperative {
                if let failure = rd_kafka_incremental_assign(handle, list) {
                    logger.error("\(KafkaError.consuming(failure, "incremental assign failed"))")
                }
            } else {
                let result = rd_kafka_assign(handle, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.error("\(KafkaError.rdKafka(result, "assign failed"))")
                }
            }
            // librdkafka keeps a partition's pause across a rebalance: one paused when it was
            // revoked (or lost) would never fetch again once assigned anew. A new assignment starts
            // unpaused; the application pauses it again from the assignment event if it wants.
            if let list {
                rd_kafka_resume_partitions(handle, list)
            }
            logger.info("assigned \(partitions.count) partitions", metadata: ["kafka.partitions": "\(partitions)"])
            handler?.call(KafkaRebalanceEvent(kind: .assigned, partitions: partitions, rewound: rewound))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            logger.info("\(lost ? "lost" : "revoked") \(partitions.count) partitions", metadata: ["kafka.partitions": "\(partitions)"])
            handler?.call(KafkaRebalanceEvent(kind: lost ? .lost : .revoked, partitions: partitions))
            revokedPartitions.withLock { $0.formUnion(partitions) }
            revocations.add(1, ordering: .releasing)
            if cooperative {
                if let failure = rd_kafka_incremental_unassign(handle, list) {
                    logger.error("\(KafkaError.consuming(failure, "incremental unassign failed"))")
                }
            } else {
                rd_kafka_assign(handle, nil)
            }
        default:
            logger.error("\(KafkaError.rdKafka(error, "rebalance failed"))")
            rd_kafka_assign(handle, nil)
        }
    }

    /// Sets each partition of `list` that has a committed offset to start `count` messages before
    /// it (not below the low watermark). Blocking (asks the group coordinator and the leaders);
    /// runs in the rebalance callback, before the assignment takes effect. A partition whose
    /// offsets cannot be read keeps the default start (its committed offset): state is then
    /// rebuilt from fewer messages, which is logged.
    /// - Returns: The rewound ranges, `start..<committed`.
    private func rewind(
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, by count: Int, handle: OpaquePointer
    ) -> [KafkaTopicPartition: Range<Int>] {
        let timeout: Int32 = 10_000
        let result = rd_kafka_committed(handle, list, timeout)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let elements = list.pointee.elems else {
            logger.warning("could not read committed offsets to rewind the assignment: \(KafkaError.rdKafka(result, "committed"))")
            return [:]
        }
        var rewound: [KafkaTopicPartition: Range<Int>] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let committed = elements[index].offset
            guard committed >= 0, let topic = elements[index].topic else { continue }
            let partition = KafkaTopicPartition(topic: String(cString: topic), partition: Int(elements[index].partition))
            var low: Int64 = 0
            var high: Int64 = 0
            let watermarks = rd_kafka_query_watermark_offsets(handle, topic, elements[index].partition, &low, &high, timeout)
            if watermarks != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("could not read the low watermark of \(partition); not rewinding it: \(KafkaError.rdKafka(watermarks, "watermarks"))")
                continue
            }
            let start = max(low, committed - Int64(count))
            elements[index].offset = start
            rewound[partition] = Int(start)..<Int(committed)
        }
        return rewound
    }
}
