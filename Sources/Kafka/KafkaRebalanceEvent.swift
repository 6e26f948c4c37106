/// A change of a group consumer's partition assignment, reported to the handler given to
/// ``KafkaConsumer/subscribe(topics:onRebalance:)``.
public struct KafkaRebalanceEvent: Hashable, Sendable, CustomStringConvertible {
    /// What changed.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case assigned, revoked, lost
        }

        private let value: Value

        /// Partitions were assigned to this consumer (reported after they are assigned).
        public static let assigned = Kind(value: .assigned)
        /// Partitions are taken away in an orderly rebalance (reported before they are unassigned,
        /// so offsets of processed messages can still be committed).
        public static let revoked = Kind(value: .revoked)
        /// Partitions were lost (session timeout, fenced): another member may already own them and
        /// commits for them will fail.
        public static let lost = Kind(value: .lost)

        public var description: String { value.rawValue }
    }

    public var kind: Kind
    /// The partitions the event is about (for incremental protocols only the delta).
    public var partitions: [KafkaTopicPartition]
    /// Assignments with ``KafkaConsumer/subscribe(topics:rewind:onRebalance:)`` `rewind` > 0: per
    /// partition whose group has a committed offset, where reading starts (up to `rewind` messages
    /// before the committed offset, not below the low watermark) and the committed offset itself.
    /// Messages in `start..<committed` were processed before; they are re-read only to rebuild state.
    public var rewound: [KafkaTopicPartition: Range<Int>]

    public init(kind: Kind, partitions: [KafkaTopicPartition], rewound: [KafkaTopicPartition: Range<Int>] = [:]) {
        self.kind = kind
        self.partitions = partitions
        self.rewound = rewound
    }

    public var description: String { "\(kind) \(partitions)" }
}
