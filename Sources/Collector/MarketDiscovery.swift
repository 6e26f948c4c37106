import CoinfluxCore
import Exchanges
import Logging
import ServiceLifecycle

/// Keeps an exchange's feed subscribed to the markets a ``MarketSelection`` (`all`, `top:N`)
/// picks: reads the exchange's market list (and for `top:N` the REST tickers' 24 h quote volume)
/// at start and every `interval`, and hands the result to ``ExchangeFeed/subscribe(to:)``, so a
/// listing is subscribed and a delisting unsubscribed without a restart.
///
/// A read that fails, or selects nothing, keeps the symbols the feed has: it is counted
/// (`coinflux_discovery_errors_total`) and logged when discovery starts failing and when it works
/// again, not at every attempt. Until the first read succeeds it is retried with backoff
/// (capped at `interval`).
public final class MarketDiscovery: Service {
    public let feed: ExchangeFeed
    public let selection: MarketSelection
    /// Quote currencies (upper case) whose markets the selection takes.
    public let quotes: Set<String>
    public let interval: Duration
    private let adapter: any ExchangeAdapter
    private let firstRetry: ExponentialBackoff.Bounds
    private let logger: Logger

    /// Largest market list accepted: Binance's `exchangeInfo` lists every symbol it ever had,
    /// several MiB, far beyond a WebSocket frame.
    static let maximumListBytes = 64 << 20

    /// Why a discovery read gave no symbols.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameters:
    ///   - feed: the exchange's feed, built with connections for as many symbols as the
    ///     selection can pick (``ExchangeFeed/connections(for:policy:streamsPerConnection:)``).
    ///   - retry: backoff of the reads before the first success (capped at `interval`).
    ///   - logger: logs with `exchange` metadata.
    public init(feed: ExchangeFeed, selection: MarketSelection, quotes: Set<String>,
                interval: Duration, retry: ExponentialBackoff.Bounds = .init(), logger: Logger) {
        self.feed = feed
        let adapter = feed.adapter
        self.adapter = adapter
        self.selection = selection
        self.quotes = quotes
        self.interval = interval
        firstRetry = ExponentialBackoff.Bounds(initial: min(retry.initial, interval), maximum: min(retry.maximum, interval), jitter: retry.jitter)
        var logger = logger
        logger[metadataKey: "exchange"] = "\(adapter.exchange.rawValue)"
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown { await self.rediscover() }
    }

    private func rediscover() async {
        var backoff = ExponentialBackoff(firstRetry)
        var discovered = false
        var failing = false
        while !Task.isCancelled {
            var delay = interval
            do {
                apply(try await discover())
                if failing { logger.notice("market discovery works again") }
                (discovered, failing) = (true, false)
            } catch {
                if Task.isCancelled { return }
                feed.discoveryErrors.increment()
                let metadata: Logger.Metadata = ["error": "\(error)", "symbols_kept": "\(feed.symbols.count)"]
                if failing {
                    logger.debug("market discovery still failing", metadata: metadata)
                } else {
                    logger.warning("market discovery failed; keeping the current symbols", metadata: metadata)
                }
                failing = true
                if !discovered { delay = backoff.nextDelay() }
            }
            try? await Task.sleep(for: delay)
        }
    }

    /// The symbols the selection picks now, from the exchange's market list (and tickers).
    /// - Throws: when the exchange has no market list, a request or parse fails, or nothing is selected.
    public func discover() async throws -> [Symbol] {
        guard let path = adapter.marketListPath else { throw Failure(description: "\(adapter.exchange.rawValue) has no market list") }
        let body = try await feed.rest.body(of: path, limit: Self.maximumListBytes)
        let listed = try body.withUnsafeReadableBytes { try adapter.parseMarketList(body: $0) }
        let volumes = selection.needsVolumes ? try await quoteVolumes(of: MarketSelection.candidates(listed, quotes: quotes)) : [:]
        let symbols = selection.select(from: listed, quotes: quotes, quoteVolumes: volumes)
        guard !symbols.isEmpty else {
            throw Failure(description: "no trading market of \(quotes.sorted().joined(separator: ", ")) among the \(listed.count) listed")
        }
        return symbols
    }

    /// The 24 h quote volume of each market, from the exchange's REST tickers. A request that
    /// fails leaves its markets without one (they rank last); all failing is an error.
    private func quoteVolumes(of symbols: [Symbol]) async throws -> [Symbol: Double] {
        var volumes: [Symbol: Double] = [:]
        var firstError: (any Error)?
        var events: [MarketEvent] = []
        let paths = adapter.restTickerPaths(for: symbols)
        for path in paths {
            do {
                let body = try await feed.rest.body(of: path)
                events.removeAll(keepingCapacity: true)
                let receivedAt = wallClockNanoseconds()
                try body.withUnsafeReadableBytes { try adapter.parseRESTTicker(path: path, body: $0, receivedAt: receivedAt, into: &events) }
                for event in events {
                    if let volume = event.quoteVolume24h { volumes[event.symbol] = volume }
                }
            } catch {
                if Task.isCancelled { throw error }
                firstError = firstError ?? error
            }
        }
        if let firstError, volumes.isEmpty, !paths.isEmpty { throw firstError }
        return volumes
    }

    /// Subscribes the feed to `symbols` and logs what changed.
    private func apply(_ symbols: [Symbol]) {
        let before = Set(feed.symbols)
        let leftOut = feed.subscribe(to: symbols)
        let after = Set(feed.symbols)
        if !leftOut.isEmpty {
            logger.warning("more markets selected than the feed's connections carry; the rest are not subscribed",
                           metadata: ["left_out": "\(leftOut.count)", "first": "\(leftOut.prefix(10).map(\.description))"])
        }
        guard before != after else { return }
        let added = symbols.filter { after.contains($0) && !before.contains($0) }
        let removed = before.subtracting(after).sorted { $0.description < $1.description }
        logger.info("market discovery changed the symbols", metadata: [
            "selection": "\(selection)", "symbols": "\(after.count)",
            "added": "\(added.prefix(20).map(\.description))", "removed": "\(removed.prefix(20).map(\.description))",
        ])
    }
}
