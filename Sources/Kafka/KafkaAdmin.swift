import Logging

/// Cluster administration: create topics, read how many partitions a topic has.
/// Every call is bounded by its timeout (an unreachable broker yields ``KafkaError/Code/timedOut``
/// or ``KafkaError/Code/brokerUnreachable`` naming the bootstrap servers) and runs off the
/// cooperative thread pool.
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient
    private let blocking: BlockingQueue

    /// - Throws: ``KafkaError`` with code ``KafkaError/Code/invalidConfiguration`` naming a bad property.
    public init(configuration: KafkaAdminConfiguration, logger: Logger = Logger(label: "coinflux.kafka.admin")) throws {
        client = try RDKafkaClient.make(
            kind: .admin,
            properties: configuration.rdKafkaProperties,
            events: RDKafkaEvents(logger: logger, statisticsHandler: nil)
        )
        blocking = BlockingQueue(label: "coinflux.kafka.admin.blocking", concurrent: true)
    }

    /// Creates `topic` with `partitions` partitions (CreateTopics).
    /// - Parameters:
    ///   - acceptExisting: treat "topic already exists" as success (its partition count is not checked).
    ///   - timeout: bound of the whole request, including the broker's own operation timeout.
    /// - Throws: ``KafkaError`` — ``KafkaError/Code/topicAlreadyExists`` unless `acceptExisting`,
    ///   ``KafkaError/Code/timedOut`` when no broker answers in time.
    public func createTopic(
        _ topic: String,
        partitions: Int,
        replicationFactor: Int = 1,
        acceptExisting: Bool = false,
        timeout: Duration = .seconds(10)
    ) async throws {
        let milliseconds = timeout.rdKafkaMilliseconds
        do {
            try await blocking.run { [client] in
                try client.createTopic(topic, partitions: partitions, replicationFactor: replicationFactor, timeoutMilliseconds: milliseconds)
            }
        } catch let error as KafkaError where acceptExisting && error.code == .topicAlreadyExists {
            return
        }
    }

    /// Checks that a broker answers (a metadata request).
    /// - Throws: ``KafkaError`` — ``KafkaError/Code/hostNotFound`` when a bootstrap server's name
    ///   does not resolve, ``KafkaError/Code/timedOut`` or ``KafkaError/Code/brokerUnreachable``
    ///   when no broker answers in time, each naming the bootstrap servers and librdkafka's last error.
    public func checkBrokers(timeout: Duration = .seconds(5)) async throws {
        let milliseconds = timeout.rdKafkaMilliseconds
        try await blocking.run { [client] in
            try client.checkBrokers(timeoutMilliseconds: milliseconds)
        }
    }

    /// The partition ids of `topic`, from cluster metadata.
    /// - Throws: ``KafkaError/Code/unknownTopicOrPartition`` when the topic does not exist,
    ///   ``KafkaError/Code/timedOut`` when no broker answers in time.
    public func partitions(of topic: String, timeout: Duration = .seconds(10)) async throws -> [Int] {
        let milliseconds = timeout.rdKafkaMilliseconds
        return try await blocking.run { [client] in
            try client.partitions(of: topic, timeoutMilliseconds: milliseconds)
        }
    }
}
