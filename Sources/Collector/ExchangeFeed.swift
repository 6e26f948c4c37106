import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation
import Logging
import ServiceLifecycle
import Telemetry

/// One exchange's feed over as many WebSocket connections as its per-connection stream limit
/// requires (Binance: 1 024 streams, so 512 symbols, per connection).
///
/// The symbols are split into connection groups in order (`ConnectionPolicy.connectionGroups`),
/// and each group gets its own ``FeedConnection``: its own socket, reconnect backoff, silence
/// detection and REST fallback for its symbols. The connections share the exchange's counters, a
/// ``ConnectionTally``, which reports the exchange as a whole (connected gauge, freshness, `/readyz`),
/// and a ``RequestPacer`` that keeps their REST polls together within the exchange's budget.
public struct ExchangeFeed: Sendable {
    /// One per connection, in symbol order; none without symbols.
    public let connections: [FeedConnection]
    /// The state the connections report together.
    public let status: ConnectionTally
    /// The continuity of the exchange's series.
    public let tracker: SeriesTracker
    /// Repairs the gaps the connections find (a service of its own).
    public let gapRepair: GapRepair

    /// What one connection shares with the exchange's others.
    public struct Shared: Sendable {
        /// The connection's place in the exchange-wide gauges.
        public let slot: ConnectionTally.Slot
        /// The exchange's REST budget.
        public let restPacer: RequestPacer
        public let tracker: SeriesTracker
        public let gapRepair: GapRepair
    }

    /// - Parameters:
    ///   - adapter: the exchange's protocol; its `ConnectionPolicy` gives the stream limit.
    ///   - webSocketURL: override of the adapter's WebSocket URL (e.g. the simulator), or nil.
    ///   - restURL: override of the adapter's REST base URL, or nil.
    ///   - symbols: normalized symbols to subscribe to.
    ///   - streamsPerConnection: a lower stream limit per connection than the exchange's own
    ///     (configuration), or nil for the exchange's.
    ///   - settings: timing and limits of every connection.
    ///   - sink: receives the parsed events of every connection.
    ///   - metrics: the process's metrics registry.
    ///   - httpClient: the client of the REST fallback and of the gap repair's trade history.
    ///   - logger: the feeds log with `exchange` and `connection` (`2/3`) metadata.
    public init(
        adapter: any ExchangeAdapter,
        webSocketURL: URL? = nil,
        restURL: URL? = nil,
        symbols: [Symbol],
        streamsPerConnection: Int? = nil,
        settings: FeedSettings = .init(),
        sink: any MarketEventSink,
        metrics: Metrics,
        httpClient: HTTPClient = .shared,
        logger: Logger
    ) {
        let groups = adapter.connectionPolicy.connectionGroups(for: symbols, streamsPerConnection: streamsPerConnection)
        let status = ConnectionTally(exchange: adapter.exchange, connections: groups.count, metrics: metrics)
        self.status = status
        let pacer = RequestPacer(requestsPerSecond: settings.restRequestsPerSecond ?? adapter.restRequestsPerSecond)
        let tracker = SeriesTracker(exchange: adapter.exchange, consecutiveIDs: adapter.tradeIDsAreConsecutive)
        self.tracker = tracker
        var repairLogger = logger
        repairLogger[metadataKey: "exchange"] = "\(adapter.exchange.rawValue)"
        let history = adapter.tradeHistory
        let fetch: GapRepair.PageFetcher? = history.map { api in
            RESTTradeHistory(adapter: adapter, restURL: restURL ?? adapter.defaultRESTURL, api: api, pacer: pacer, httpClient: httpClient,
                             maximumBodyBytes: settings.maximumMessageSize, rateLimitPause: settings.restRateLimitPause).page
        }
        let gapRepair = GapRepair(exchange: adapter.exchange, tracker: tracker, history: history, fetch: fetch,
                                  sink: sink, metrics: metrics, logger: repairLogger)
        self.gapRepair = gapRepair
        self.connections = zip(groups, status.slots).map { symbols, slot in
            FeedConnection(adapter: adapter, webSocketURL: webSocketURL, restURL: restURL, symbols: symbols, settings: settings,
                           sink: sink, metrics: metrics,
                           shared: Shared(slot: slot, restPacer: pacer, tracker: tracker, gapRepair: gapRepair),
                           httpClient: httpClient, logger: logger)
        }
    }

    /// Every service the feed runs: its connections and its gap repair.
    public var services: [any Service] { connections + [gapRepair] }
}
