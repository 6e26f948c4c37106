import Collector
import Exchanges
import Logging
import Telemetry

/// Builds the collector's feeds from the configuration.
enum FeedAssembly {
    /// One `ExchangeFeed` per enabled exchange with at least one symbol, each registered with `/readyz`.
    static func feeds(_ configuration: CoinfluxConfiguration, sink: any MarketEventSink, metrics: Metrics,
                      readiness: Readiness, logger: Logger) -> [ExchangeFeed] {
        let timing = configuration.feedTiming
        let settings = FeedSettings(
            silenceTimeout: timing.silenceTimeout,
            backoff: .init(initial: timing.reconnectInitial, maximum: timing.reconnectMaximum),
            restFallbackAfter: timing.restFallbackAfter,
            restPollInterval: timing.restPollInterval)
        return configuration.feeds.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { exchange, feed in
            guard feed.enabled, !feed.symbols.isEmpty else { return nil }
            let adapter = ExchangeRegistry.adapter(for: exchange, bithumbAPI: feed.bithumbAPI)
            let service = ExchangeFeed(adapter: adapter, webSocketURL: feed.url, restURL: feed.restURL, symbols: feed.symbols,
                                       settings: settings, sink: sink, metrics: metrics, logger: logger)
            readiness.register("feed \(exchange.rawValue)") { service.isConnected ? nil : "websocket not connected" }
            return service
        }
    }
}
