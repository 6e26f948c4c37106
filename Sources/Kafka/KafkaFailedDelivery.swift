/// A message the producer enqueued but could not deliver, with its bytes (copied out of librdkafka).
public struct KafkaFailedDelivery: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    /// Why: timed out (`message.timeout.ms`), rejected by the broker, or purged at close.
    public var error: KafkaError
}
