/// The one error type of the `Kafka` module: a ``Code`` to switch on, a human-readable message, and
/// where in this module it was raised.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely. Compare with the static members (`error.code == .queueFull`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidConfiguration
            case queueFull
            case timedOut
            case brokerUnreachable
            case hostNotFound
            case topicAlreadyExists
            case unknownTopicOrPartition
            case rebalanceInProgress
            case closed
            case rdKafka
        }

        private let value: Value

        /// A librdkafka property name or value was rejected (the message names the property).
        public static let invalidConfiguration = Code(value: .invalidConfiguration)
        /// The producer's bounded local queue is full: the message was not enqueued (count it as dropped).
        public static let queueFull = Code(value: .queueFull)
        /// The operation did not complete within its timeout.
        public static let timedOut = Code(value: .timedOut)
        /// No broker could be reached (connection refused, all brokers down).
        public static let brokerUnreachable = Code(value: .brokerUnreachable)
        /// No broker could be reached, and the last attempt failed because a bootstrap server's
        /// host name does not resolve.
        public static let hostNotFound = Code(value: .hostNotFound)
        /// CreateTopics was asked for a topic that already exists.
        public static let topicAlreadyExists = Code(value: .topicAlreadyExists)
        /// The topic or partition does not exist on the cluster.
        public static let unknownTopicOrPartition = Code(value: .unknownTopicOrPartition)
        /// A commit was refused because the group is rebalancing or this member's generation is
        /// stale. Not fatal: the partitions' next owner re-reads from the last accepted commit
        /// (at-least-once).
        public static let rebalanceInProgress = Code(value: .rebalanceInProgress)
        /// The client was used after `close()`.
        public static let closed = Code(value: .closed)
        /// Any other librdkafka error; ``KafkaError/rdKafkaCode`` holds the raw code.
        public static let rdKafka = Code(value: .rdKafka)

        public var description: String { value.rawValue }
    }

    /// The coarse category.
    public var code: Code
    /// What happened, naming the property, topic or broker involved.
    public var message: String
    /// librdkafka's `rd_kafka_resp_err_t` value when the error came from librdkafka, else nil.
    public var rdKafkaCode: Int32?
    /// Source location in this module where the error was raised.
    public var file: String
    public var line: UInt

    public init(code: Code, message: String, rdKafkaCode: Int32? = nil, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.rdKafkaCode = rdKafkaCode
        self.file = file
        self.line = line
    }

    public var description: String {
        "KafkaError.\(code): \(message)"
    }
}
