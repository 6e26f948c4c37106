import Foundation

/// One librdkafka statistics report (emitted every `statisticsInterval`), see librdkafka's
/// STATISTICS.md for the full JSON schema. The most useful totals are decoded into ``summary``.
public struct KafkaStatistics: Sendable {
    /// Totals read from the top level of the report; a field is nil when the report lacks it.
    public struct Summary: Decodable, Hashable, Sendable {
        /// Client instance name, e.g. `coinflux#producer-1`.
        public var name: String?
        /// Messages currently in the producer queues (waiting or in flight).
        public var queuedMessages: Int?
        /// Bytes currently in the producer queues.
        public var queuedBytes: Int?
        /// Messages sent to brokers since the client started.
        public var transmittedMessages: Int?
        /// Messages received from brokers since the client started.
        public var receivedMessages: Int?
        /// Operations waiting in the application reply queue (undrained callbacks).
        public var replyQueue: Int?
        /// Requests sent to brokers since the client started (fetches included).
        public var requests: Int?

        enum CodingKeys: String, CodingKey {
            case name
            case queuedMessages = "msg_cnt"
            case queuedBytes = "msg_size"
            case transmittedMessages = "txmsgs"
            case receivedMessages = "rxmsgs"
            case replyQueue = "replyq"
            case requests = "tx"
        }
    }

    /// The report exactly as librdkafka produced it.
    public let json: String
    /// The decoded totals, nil if the JSON could not be decoded.
    public let summary: Summary?

    public init(json: String) {
        self.json = json
        self.summary = try? JSONDecoder().decode(Summary.self, from: Data(json.utf8))
    }
}
