import CoinfluxCore

/// Where a message is in its source: a partition of the ticks topic and an offset (the
/// in-process queue is partition 0, numbered as it hands events out).
public struct MessagePosition: Sendable, Hashable {
    public var partition: Int
    public var offset: Int

    public init(partition: Int, offset: Int) {
        self.partition = partition
        self.offset = offset
    }
}

/// One message as the processor takes it from its source: where it is, when the source stored
/// it, and the record it carries (a market event or a gap record) or why it carries none.
public struct SourceMessage: Sendable {
    public var position: MessagePosition
    /// When the message was stored (Kafka: its timestamp), nanoseconds since the epoch; nil when unknown.
    public var timeNanos: Int64?
    public var record: Result<MarketRecord, Undecodable>

    public init(position: MessagePosition, timeNanos: Int64?, record: Result<MarketRecord, Undecodable>) {
        self.position = position
        self.timeNanos = timeNanos
        self.record = record
    }

    /// A message carrying a market event.
    public init(position: MessagePosition, timeNanos: Int64?, event: MarketEvent) {
        self.init(position: position, timeNanos: timeNanos, record: .success(.event(event)))
    }
}

/// A message that is not a market event this processor can read, with its bytes for the dead letters.
public struct Undecodable: Error, Sendable, Equatable {
    /// Why it does not decode, e.g. `missing field "price"`.
    public var reason: String
    /// The message as it was stored.
    public var payload: [UInt8]

    public init(reason: String, payload: [UInt8]) {
        self.reason = reason
        self.payload = payload
    }
}
