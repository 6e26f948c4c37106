import CoinfluxCore
import Kafka
import Logging
import ServiceLifecycle

/// At start, reads where the previous run left each series: the last messages of every partition
/// of the ticks topic (``KafkaTail``), the newest event of each (exchange, symbol, channel) in
/// them, handed to the exchanges' trackers as `restart` gaps (``SeriesTracker/resume(from:now:)``)
/// that close at this run's first event and are repaired like any other. Retries every 5 s
/// while the broker cannot be read; then waits for shutdown.
public struct RestartResume: Service {
    let topic: String
    /// Messages per partition read back.
    let lookback: Int
    let consumer: KafkaConsumerConfiguration
    let feeds: [ExchangeFeed]
    let logger: Logger

    public init(topic: String, lookback: Int, consumer: KafkaConsumerConfiguration, feeds: [ExchangeFeed], logger: Logger) {
        self.topic = topic
        self.lookback = lookback
        self.consumer = consumer
        self.feeds = feeds
        self.logger = logger
    }

    public func run() async throws {
        if lookback > 0 {
            await resumeUntilDone()
        }
        try? await gracefulShutdown()
    }

    /// Reads the tail, retrying until it succeeds or shutdown begins.
    private func resumeUntilDone() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await resume()
                    return
                } catch {
                    logger.notice("cannot read where the last run left off yet; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(5))
                }
            }
        }
    }

    private func resume() async throws {
        let messages = try await KafkaTail.read(topic: topic, count: lookback, configuration: consumer, logger: logger)
        let newest = Self.newestEvents(in: messages)
        let now = wallClockNanoseconds()
        var gaps = 0
        for feed in feeds {
            let closed = feed.tracker.resume(from: newest.filter { $0.exchange == feed.tracker.exchange }, now: now)
            gaps += closed.count
            feed.gapRepair.submit(closed)
        }
        logger.info("read where the last run left off", metadata: [
            "messages": "\(messages.count)", "series": "\(newest.count)", "gaps_closed_already": "\(gaps)",
        ])
    }

    /// The newest event (by event time) of each (exchange, symbol, channel) among `messages`.
    static func newestEvents(in messages: [KafkaMessage]) -> [MarketEvent] {
        struct Key: Hashable {
            var exchange: Exchange
            var symbol: Symbol
            var kind: MarketEvent.Kind
        }
        var newest: [Key: MarketEvent] = [:]
        for message in messages {
            guard let event = message.value.withUnsafeBytes({ bytes in try? EventCodec.decode(bytes) }) else { continue }
            let key = Key(exchange: event.exchange, symbol: event.symbol, kind: event.kind)
            if newest[key].map({ $0.eventTimeNanos <= event.eventTimeNanos }) ?? true { newest[key] = event }
        }
        return Array(newest.values)
    }
}
