internal import CRdKafka

extension KafkaError {
    /// Maps a librdkafka error code to a ``KafkaError``, prefixing librdkafka's own text with `context`.
    static func rdKafka(
        _ error: rd_kafka_resp_err_t,
        _ context: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(error))
        return KafkaError(
            code: Code(error),
            message: "\(context): \(text)",
            rdKafkaCode: error.rawValue,
            file: file,
            line: line
        )
    }

    /// Takes ownership of a librdkafka `rd_kafka_error_t` (destroying it) and maps it.
    static func consuming(
        _ error: OpaquePointer,
        _ context: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(code))
        return KafkaError(code: Code(code), message: "\(context): \(text)", rdKafkaCode: code.rawValue, file: file, line: line)
    }
}

extension KafkaError.Code {
    init(_ error: rd_kafka_resp_err_t) {
        switch error {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            self = .queueFull
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
            self = .timedOut
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE:
            self = .brokerUnreachable
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            self = .topicAlreadyExists
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            self = .unknownTopicOrPartition
        case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
            self = .rebalanceInProgress
        default:
            self = .rdKafka
        }
    }
}
