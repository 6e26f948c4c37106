import CoinfluxCore
import Exchanges
import Logging
import ServiceLifecycle
import Telemetry

/// Reads the status flags of an exchange's markets (investment warning, alerts: Upbit, Bithumb's
/// v1 API, ``MarketStatusAdapter``) at start and every `interval`, through the feed's REST budget,
/// and publishes the status of every market the feed tracks, flagged or not.
///
/// Every read publishes every tracked market, so a processor that starts (or restarts) knows them
/// all within one interval, and `market_status` has a point per market and interval. A read that
/// fails publishes nothing: it is counted (`coinflux_market_status_polls_total{outcome="failed"}`)
/// and logged when reads start failing and when they work again; changed flags are logged.
public final class MarketStatusPoller: Service {
    private let feed: ExchangeFeed
    private let adapter: any MarketStatusAdapter
    private let sink: any MarketStatusSink
    private let interval: Duration
    private let succeeded: Counter
    private let failed: Counter
    private let logger: Logger

    /// Largest body accepted: a market list with details is under 100 KiB on either exchange.
    static let maximumBodyBytes = 4 << 20

    /// - Parameters:
    ///   - feed: the exchange's feed: its tracked symbols and its REST budget.
    ///   - adapter: the feed's adapter, as one that serves market flags.
    ///   - interval: time between two reads (positive).
    ///   - logger: logs with `exchange` metadata.
    public init(feed: ExchangeFeed, adapter: any MarketStatusAdapter, sink: any MarketStatusSink, interval: Duration,
                metrics: Metrics, logger: Logger) {
        self.feed = feed
        self.adapter = adapter
        self.sink = sink
        self.interval = interval
        succeeded = metrics.counter(MetricCatalogue.marketStatusPolls, adapter.exchange.rawValue, "ok")
        failed = metrics.counter(MetricCatalogue.marketStatusPolls, adapter.exchange.rawValue, "failed")
        var logger = logger
        logger[metadataKey: "exchange"] = "\(adapter.exchange.rawValue)"
        self.logger = logger
    }

    /// The exchange whose flags it reads.
    public var exchange: Exchange { adapter.exchange }

    public func run() async {
        await cancelWhenGracefulShutdown { await self.poll() }
    }

    private func poll() async {
        var previous: [Symbol: MarketFlags] = [:]
        var failing = false
        while !Task.isCancelled {
            do {
                let flags = try await read()
                let statuses = Self.statuses(of: feed.symbols, flags: flags, exchange: adapter.exchange, observedNanos: wallClockNanoseconds())
                for status in statuses { sink.publish(status) }
                logChanges(from: previous, to: statuses)
                previous = Dictionary(statuses.map { ($0.symbol, $0.flags) }, uniquingKeysWith: { first, _ in first })
                succeeded.increment()
                if failing { logger.notice("market status reads work again") }
                failing = false
            } catch {
                if Task.isCancelled { return }
                failed.increment()
                if failing {
                    logger.debug("market status read still failing", metadata: ["error": "\(error)"])
                } else {
                    logger.warning("market status read failed; nothing published until one works", metadata: ["error": "\(error)"])
                }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Every market's flags, from the adapter's requests made within the feed's REST budget.
    private func read() async throws -> [Symbol: MarketFlags] {
        var bodies: [[UInt8]] = []
        for path in adapter.marketStatusPaths {
            let body = try await feed.rest.body(of: path, limit: Self.maximumBodyBytes)
            bodies.append(Array(body.readableBytesView))
        }
        return try adapter.parseMarketStatuses(bodies: bodies)
    }

    /// The statuses of the `tracked` markets the exchange listed (one not listed has no flags to report).
    static func statuses(of tracked: [Symbol], flags: [Symbol: MarketFlags], exchange: Exchange, observedNanos: Int64) -> [MarketStatus] {
        tracked.compactMap { symbol in
            flags[symbol].map { MarketStatus(exchange: exchange, symbol: symbol, flags: $0, observedNanos: observedNanos) }
        }
    }

    /// Logs the markets whose flags differ from the previous read (a first read logs the flagged ones).
    private func logChanges(from previous: [Symbol: MarketFlags], to statuses: [MarketStatus]) {
        for status in statuses where previous[status.symbol] ?? .none != status.flags {
            logger.info("market status changed", metadata: [
                "symbol": "\(status.symbol)", "warning": "\(status.flags.warning)", "cautions": "\(status.flags.cautions)",
            ])
        }
    }
}
