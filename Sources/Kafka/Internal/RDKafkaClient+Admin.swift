internal import CRdKafka
import Dispatch
import Synchronization

/// Cluster metadata and topic administration.
extension RDKafkaClient {
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
