import CoinfluxCore
import Kafka
import Logging
import Synchronization

/// Reads the FX topic (`market.fx`: `USDT-KRW` tickers) in full, from the beginning, in a
/// consumer group of its own, so every processor instance knows the latest KRW-per-USDT rate
/// whichever ticks partitions it owns. Never commits.
final class ExchangeRateFollower: Sendable {
    /// The newest rate seen (by event time) and how many updates there have been.
    struct Rate: Sendable, Hashable {
        var krwPerUSDT: Double
        var eventTimeNanos: Int64
        var version: Int
    }

    private let consumer: KafkaConsumer
    private let topic: String
    private let logger: Logger
    private let latest = Mutex<Rate?>(nil)

    /// - Parameter groupPrefix: The processor's group id; the follower's group is this plus a
    ///   random suffix, so each instance reads every partition.
    init(bootstrapServers: [String], groupPrefix: String, topic: String, caughtUpPause: Duration,
         properties: [String: String], logger: Logger) throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            groupID: "\(groupPrefix)-fx-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))")
        configuration.autoOffsetReset = .earliest
        configuration.maximumQueuedKilobytes = 1_024
        configuration.caughtUpPause = caughtUpPause
        configuration.additionalProperties = properties
        consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// The newest rate, if any arrived.
    var rate: Rate? { latest.withLock { $0 } }

    /// Follows the topic until cancelled, then leaves the group.
    func run() async {
        do {
            try consumer.subscribe(topics: [topic])
            while !Task.isCancelled {
                for message in try await consumer.poll(maximumMessages: 1_000, timeout: .milliseconds(200)) {
                    apply(message)
                }
            }
        } catch {
            logger.error("FX topic reader stopped; premiums use the USDT-KRW ticks of the owned partitions only", metadata: ["error": "\(error)"])
        }
        try? await consumer.close()
    }

    private func apply(_ message: KafkaMessage) {
        let event: MarketEvent
        switch message.decodedEvent() {
        case .success(let decoded): event = decoded
        case .failure(let error):
            logger.warning("skipping an undecodable FX message", metadata: ["offset": "\(message.offset)", "error": "\(error)"])
            return
        }
        guard event.symbol.base == "USDT", event.symbol.quote == "KRW", event.price.isFinite, event.price > 0 else { return }
        latest.withLock { latest in
            guard latest.map({ event.eventTimeNanos >= $0.eventTimeNanos }) ?? true else { return }
            latest = Rate(krwPerUSDT: event.price, eventTimeNanos: event.eventTimeNanos, version: (latest?.version ?? 0) + 1)
        }
    }
}

extension KafkaMessage {
    /// The market event the message carries, or why it is not one.
    func decodedEvent() -> Result<MarketEvent, EventCodec.DecodeError> {
        value.withUnsafeBytes { bytes in
            Result { () throws(EventCodec.DecodeError) -> MarketEvent in try EventCodec.decode(bytes) }
        }
    }
}
