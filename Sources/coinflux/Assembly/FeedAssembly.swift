import CoinfluxCore
import Collector
import Exchanges
import Kafka
import Logging
import Telemetry

/// Builds the collector's feeds from the configuration.
enum FeedAssembly {
    /// The feeds of every enabled exchange with at least one symbol or market discovery: one
    /// `FeedConnection` per connection its symbols need (with discovery: as many as the
    /// selection can pick, see ``discoveries(_:feeds:logger:)``), and its gap repair.
    /// Each exchange is one `/readyz` check, failing while any of its connections is down.
    /// - Parameter restClient: the REST fallback's client when `collector.tls.ca_file` is set
    ///   (``restClient(_:)``); nil: the shared one.
    static func feeds(_ configuration: CoinfluxConfiguration, sink: any MarketEventSink, metrics: Metrics,
                      readiness: Readiness, status: StatusReport, restClient: RESTClient? = nil, logger: Logger) -> [ExchangeFeed] {
        let settings = feedSettings(configuration)
        return configuration.feeds.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { exchange, feed -> ExchangeFeed? in
            guard feed.isActive else { return nil }
            let adapter = ExchangeRegistry.adapter(for: exchange, bithumbAPI: feed.bithumbAPI)
            var exchangeSettings = settings
            exchangeSettings.restRequestsPerSecond = feed.restRequestsPerSecond
            let provisioned = feed.selection.isDiscovered
                ? ExchangeFeed.connections(for: feed.selection.maximumCount ?? discoveryCapacity, policy: adapter.connectionPolicy,
                                           streamsPerConnection: feed.streamsPerConnection)
                : nil
            let group = ExchangeFeed(adapter: adapter, webSocketURL: feed.url, restURL: feed.restURL, symbols: feed.symbols,
                                          provisionedConnections: provisioned, streamsPerConnection: feed.streamsPerConnection, settings: exchangeSettings,
                                          sink: sink, metrics: metrics, httpClient: restClient?.client ?? .shared, logger: logger)
            readiness.register("feed \(exchange.rawValue)") { group.status.notReadyReason }
            status.register(exchange.rawValue) { interval in group.status.status(over: interval) }
            return group
        }
    }

    /// The order-book feed of every enabled exchange with `collector.<exchange>.books`: one
    /// connection each, sharing the REST budget of the exchange's feed (a budget of its own when
    /// the exchange has no ticker and trade feed).
    static func bookFeeds(_ configuration: CoinfluxConfiguration, feeds: [ExchangeFeed], sink: any BookSink, metrics: Metrics,
                          restClient: RESTClient? = nil, logger: Logger) -> [BookFeed] {
        let timing = configuration.feedTiming
        let books = BookSettings(depth: timing.bookDepth, publishInterval: timing.bookPublishInterval, staleAfter: timing.bookStaleAfter)
        return configuration.feeds.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { exchange, feed -> BookFeed? in
            guard feed.enabled, !feed.books.isEmpty,
                  let adapter = ExchangeRegistry.adapter(for: exchange, bithumbAPI: feed.bithumbAPI) as? any OrderBookAdapter
            else { return nil }
            let pacer = feeds.first { $0.adapter.exchange == exchange }?.restPacer ?? RequestPacer(requestsPerSecond: feed.restRequestsPerSecond)
            return BookFeed(adapter: adapter, webSocketURL: feed.url, restURL: feed.restURL, symbols: feed.books,
                            settings: feedSettings(configuration), books: books, sink: sink, restPacer: pacer, metrics: metrics,
                            httpClient: restClient?.client ?? .shared, logger: logger)
        }
    }

    /// Symbols `all` makes room for on an exchange with a per-connection stream limit (Binance:
    /// four connections of 512): more than any exchange lists in one quote. Connections without
    /// symbols open no socket.
    static let discoveryCapacity = 2_048

    /// The market discovery of every feed with `symbols: all` or `top:N`.
    static func discoveries(_ configuration: CoinfluxConfiguration, feeds: [ExchangeFeed], logger: Logger) -> [MarketDiscovery] {
        feeds.compactMap { feed in
            guard let settings = configuration.feeds[feed.adapter.exchange], settings.selection.isDiscovered else { return nil }
            let timing = configuration.feedTiming
            return MarketDiscovery(feed: feed, selection: settings.selection, quotes: Set(settings.quotes),
                                   interval: timing.discoveryInterval,
                                   retry: .init(initial: timing.reconnectInitial, maximum: timing.reconnectMaximum),
                                   logger: logger)
        }
    }

    /// The market-status poller of every feed whose exchange flags markets (Upbit, Bithumb v1),
    /// unless `collector.market_status_interval` is 0.
    static func statusPollers(_ configuration: CoinfluxConfiguration, feeds: [ExchangeFeed], sink: any MarketStatusSink,
                              metrics: Metrics, logger: Logger) -> [MarketStatusPoller] {
        let interval = configuration.feedTiming.marketStatusInterval
        guard interval > .zero else { return [] }
        return feeds.compactMap { feed in
            guard let adapter = feed.adapter as? any MarketStatusAdapter else { return nil }
            return MarketStatusPoller(feed: feed, adapter: adapter, sink: sink, interval: interval, metrics: metrics, logger: logger)
        }
    }

    /// The reader of the USD/KRW source, when `collector.fx_url` is set (none otherwise).
    static func fxPollers(_ configuration: CoinfluxConfiguration, sink: any FXRateSink, metrics: Metrics,
                          restClient: RESTClient?, logger: Logger) -> [FXRatePoller] {
        guard let source = configuration.fxSource else { return [] }
        return [FXRatePoller(url: source.url, format: source.format, interval: source.interval,
                             httpClient: restClient?.client ?? .shared, sink: sink, metrics: metrics, logger: logger)]
    }

    /// Reads back, at start, where the last run left each series (`collector.restart_lookback`
    /// messages per partition of the ticks topic).
    static func restartResume(_ configuration: CoinfluxConfiguration, feeds: [ExchangeFeed], logger: Logger) -> RestartResume {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: configuration.kafka.bootstrapServers,
                                                  groupID: "coinflux-collector-resume-\(UInt64.random(in: 0...UInt64.max))")
        consumer.additionalProperties = configuration.kafka.properties.filter { $0.key != "group.instance.id" }
        return RestartResume(topic: configuration.kafka.ticksTopic, lookback: configuration.feedTiming.restartLookback,
                             consumer: consumer, feeds: feeds, logger: logger)
    }

    /// Events that reached the producer's queue but could not be delivered become `producer`
    /// gaps of their series, repaired like any other.
    static func reportFailedDeliveries(of producer: KafkaProducer, to feeds: [ExchangeFeed]) {
        let byExchange = Dictionary(feeds.map { ($0.tracker.exchange, $0) }, uniquingKeysWith: { first, _ in first })
        producer.onDeliveryFailure { failed in
            guard let event = try? EventCodec.decode(failed.value), let feed = byExchange[event.exchange] else { return }
            feed.gapRepair.submit([feed.tracker.failedDelivery(event, now: wallClockNanoseconds())])
        }
    }

    /// Whether any exchange feed is enabled with symbols, market discovery or order books.
    static func hasFeeds(_ configuration: CoinfluxConfiguration) -> Bool {
        configuration.feeds.values.contains { $0.isActive || ($0.enabled && !$0.books.isEmpty) }
    }

    /// The REST fallback's own client when `collector.tls.ca_file` is set, else nil (the shared
    /// client). Create it just before the service group runs, which shuts it down: a client left
    /// unshut is a trap in debug builds.
    static func restClient(_ configuration: CoinfluxConfiguration) -> RESTClient? {
        feedSettings(configuration).tlsConfiguration.map { RESTClient(tlsConfiguration: $0) }
    }

    private static func feedSettings(_ configuration: CoinfluxConfiguration) -> FeedSettings {
        let timing = configuration.feedTiming
        return FeedSettings(
            silenceTimeout: timing.silenceTimeout,
            backoff: .init(initial: timing.reconnectInitial, maximum: timing.reconnectMaximum),
            restFallbackAfter: timing.restFallbackAfter,
            restPollInterval: timing.restPollInterval,
            trustedCertificatesFile: timing.caFile)
    }
}
