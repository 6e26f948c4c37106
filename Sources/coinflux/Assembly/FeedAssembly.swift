import CoinfluxCore
import Collector
import Exchanges
import Logging
import Telemetry

/// Builds the collector's feeds from the configuration.
enum FeedAssembly {
    /// The feeds of every enabled exchange with at least one symbol: one `FeedConnection` per
    /// connection its symbols need. Each exchange is one `/readyz` check, failing while any of its
    /// connections is down.
    static func feeds(_ configuration: CoinfluxConfiguration, sink: any MarketEventSink, metrics: Metrics,
                      readiness: Readiness, logger: Logger) -> [FeedConnection] {
        let timing = configuration.feedTiming
        let settings = FeedSettings(
            silenceTimeout: timing.silenceTimeout,
            backoff: .init(initial: timing.reconnectInitial, maximum: timing.reconnectMaximum),
            restFallbackAfter: timing.restFallbackAfter,
            restPollInterval: timing.restPollInterval)
        return configuration.feeds.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { exchange, feed -> [FeedConnection] in
            guard feed.enabled, !feed.symbols.isEmpty else { return [] }
            let adapter = ExchangeRegistry.adapter(for: exchange, bithumbAPI: feed.bithumbAPI)
            var exchangeSettings = settings
            exchangeSettings.restRequestsPerSecond = feed.restRequestsPerSecond
            let group = ExchangeFeed(adapter: adapter, webSocketURL: feed.url, restURL: feed.restURL, symbols: feed.symbols,
                                          streamsPerConnection: feed.streamsPerConnection, settings: exchangeSettings,
                                          sink: sink, metrics: metrics, logger: logger)
            readiness.register("feed \(exchange.rawValue)") { group.status.notReadyReason }
            return group.connections
        }
    }
}
