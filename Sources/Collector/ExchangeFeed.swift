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
///
/// With market discovery the symbols change at run time (``subscribe(to:)``): the feed is built
/// with as many connections as the selection can need, and each connection whose share changes
/// is replaced make-before-break; connections without symbols open no socket.
public struct ExchangeFeed: Sendable {
    /// The exchange's protocol.
    public let adapter: any ExchangeAdapter
    /// One per connection, in symbol order; none without symbols (unless provisioned).
    public let connections: [FeedConnection]
    /// The exchange's REST API within its budget, shared by the gap repair and market discovery
    /// (and, through the pacer, the fallback).
    let rest: PacedRESTRequest
    /// The exchange's REST budget, which its order-book feed shares.
    public var restPacer: RequestPacer { rest.pacer }
    /// Most symbols one connection carries.
    public let symbolsPerConnection: Int
    private let symbolGauge: Gauge
    /// Failed market-discovery reads; created with the feed, so the series reads 0 from the start
    /// (also for a fixed list, which never reads the market list).
    let discoveryErrors: Counter
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
    ///   - provisionedConnections: for market discovery: open this many connections (at least as
    ///     many as `symbols` need), those beyond `symbols` idle until ``subscribe(to:)`` gives
    ///     them some; nil: a fixed symbol list.
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
        provisionedConnections: Int? = nil,
        streamsPerConnection: Int? = nil,
        settings: FeedSettings = .init(),
        sink: any MarketEventSink,
        metrics: Metrics,
        httpClient: HTTPClient = .shared,
        logger: Logger
    ) {
        self.adapter = adapter
        let policy = adapter.connectionPolicy
        var groups = policy.connectionGroups(for: symbols, streamsPerConnection: streamsPerConnection)
        if let provisionedConnections, provisionedConnections > groups.count {
            groups += Array(repeating: [], count: provisionedConnections - groups.count)
        }
        symbolsPerConnection = policy.symbolsPerConnection(streamsPerConnection: streamsPerConnection)
        symbolGauge = metrics.gauge(MetricCatalogue.feedSymbols, adapter.exchange.rawValue)
        symbolGauge.set(Double(groups.joined().count))
        discoveryErrors = metrics.counter(MetricCatalogue.discoveryErrors, adapter.exchange.rawValue)
        let status = ConnectionTally(exchange: adapter.exchange, connections: groups.count, metrics: metrics)
        self.status = status
        let pacer = RequestPacer(requestsPerSecond: settings.restRequestsPerSecond ?? adapter.restRequestsPerSecond)
        let rest = PacedRESTRequest(restURL: restURL ?? adapter.defaultRESTURL, pacer: pacer, httpClient: httpClient,
                                    maximumBodyBytes: settings.maximumMessageSize, rateLimitPause: settings.restRateLimitPause)
        self.rest = rest
        let tracker = SeriesTracker(exchange: adapter.exchange, consecutiveIDs: adapter.tradeIDsAreConsecutive)
        self.tracker = tracker
        var repairLogger = logger
        repairLogger[metadataKey: "exchange"] = "\(adapter.exchange.rawValue)"
        let history = adapter.tradeHistory
        let fetch: GapRepair.PageFetcher? = history.map { api in
            RESTTradeHistory(adapter: adapter, api: api, rest: rest).page
        }
        let gapRepair = GapRepair(exchange: adapter.exchange, tracker: tracker, history: history, fetch: fetch,
                                  sink: sink, metrics: metrics, logger: repairLogger)
        self.gapRepair = gapRepair
        self.connections = zip(groups, status.slots).map { symbols, slot in
            FeedConnection(adapter: adapter, webSocketURL: webSocketURL, restURL: restURL, symbols: symbols,
                           symbolsMayChange: provisionedConnections != nil, settings: settings,
                           sink: sink, metrics: metrics,
                           shared: Shared(slot: slot, restPacer: pacer, tracker: tracker, gapRepair: gapRepair),
                           httpClient: httpClient, logger: logger)
        }
    }

    /// Every service the feed runs: its connections and its gap repair.
    public var services: [any Service] { connections + [gapRepair] }

    /// The symbols the connections carry now, in connection order.
    public var symbols: [Symbol] { Array(connections.map(\.symbols).joined()) }

    /// Subscribes the connections to `symbols`: each keeps what it has that is still wanted, new
    /// symbols go to connections with room (``SymbolAssignment``), and each connection whose share
    /// changed is replaced make-before-break. Symbols no connection has room for are left out.
    /// - Returns: the symbols left out.
    @discardableResult
    public func subscribe(to symbols: [Symbol]) -> [Symbol] {
        let assignment = SymbolAssignment(current: connections.map(\.symbols), wanted: symbols, perConnection: symbolsPerConnection)
        for (connection, group) in zip(connections, assignment.groups) {
            connection.resubscribe(to: group)
        }
        symbolGauge.set(Double(assignment.groups.joined().count))
        return assignment.leftOut
    }

    /// Connections a discovered selection can need: room for `maximumSymbols` (at least one).
    public static func connections(for maximumSymbols: Int, policy: ConnectionPolicy, streamsPerConnection: Int? = nil) -> Int {
        let perConnection = policy.symbolsPerConnection(streamsPerConnection: streamsPerConnection)
        return max(1, maximumSymbols / perConnection + (maximumSymbols % perConnection == 0 ? 0 : 1))
    }
}
