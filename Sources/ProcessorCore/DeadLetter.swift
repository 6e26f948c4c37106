import CoinfluxCore

/// A message the processor could not use, as sent to the dead-letter topic (`market.deadletter`):
/// a JSON object an operator can read with `kcat`, keyed by the reason's kind.
///
/// ```json
/// {"v":1,"kind":"undecodable","reason":"missing field price",
///  "source":{"topic":"market.ticks","partition":3,"offset":1234},"payload":"{…}"}
/// {"v":1,"kind":"rejected_by_influxdb","reason":"400: partial write: …",
///  "source":{"topic":"market.ticks","partition":3,"offset":1240},"payload":"ticker,… 1700000000000000000"}
/// ```
/// `payload` is the message (or the rejected line) as text; bytes that are not UTF-8 are replaced
/// with U+FFFD. `payload_bytes` is the message's size; a payload over ``maxPayloadBytes`` is cut
/// there (`"truncated":true`), so that a dead letter always fits in a Kafka message (librdkafka's
/// and the brokers' default limit is about 1 MB, the largest message the ticks topic can hold).
public struct DeadLetter: Sendable, Hashable {
    /// Why the message is here.
    public enum Kind: String, Sendable, Hashable {
        /// The Kafka message is not a market event this processor can read.
        case undecodable
        /// InfluxDB refused a point derived from the message (400/422).
        case rejectedByInfluxDB = "rejected_by_influxdb"
    }

    /// Where the message came from.
    public struct Source: Sendable, Hashable {
        public var topic: String
        public var partition: Int
        public var offset: Int

        public init(topic: String, partition: Int, offset: Int) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    public var kind: Kind
    public var reason: String
    public var source: Source
    public var payload: [UInt8]

    public init(kind: Kind, reason: String, source: Source, payload: [UInt8]) {
        self.kind = kind
        self.reason = reason
        self.source = source
        self.payload = payload
    }

    /// The record's Kafka key: the kind.
    public var key: String { kind.rawValue }

    /// Most payload bytes a record carries (64 KiB; escaped, at most six times as many characters).
    public static let maxPayloadBytes = 65_536

    /// The record's JSON text.
    public var json: String {
        let truncated = payload.count > Self.maxPayloadBytes
        let text = String(decoding: truncated ? payload.prefix(Self.maxPayloadBytes) : payload[...], as: UTF8.self)
        let reasonText = reason.utf8.count > Self.maxPayloadBytes ? String(decoding: reason.utf8.prefix(Self.maxPayloadBytes), as: UTF8.self) : reason
        return "{\"v\":1,\"kind\":\(JSONText.quoted(kind.rawValue)),\"reason\":\(JSONText.quoted(reasonText)),"
            + "\"source\":{\"topic\":\(JSONText.quoted(source.topic)),\"partition\":\(source.partition),\"offset\":\(source.offset)},"
            + "\"payload\":\(JSONText.quoted(text)),\"payload_bytes\":\(payload.count),\"truncated\":\(truncated)}"
    }
}
