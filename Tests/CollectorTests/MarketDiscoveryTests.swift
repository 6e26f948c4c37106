import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import Telemetry
import Testing

/// Market discovery against the simulator, which lists its markets the exchanges' way and lists
/// and delists markets at run time: `all` and `top:N` subscribe to what the market list says, a
/// listing is subscribed and a delisting unsubscribed within a discovery interval, by replacing
/// only the affected connection make-before-break, so the other symbols lose and repeat nothing.
@Suite("Market discovery against the simulator", .timeLimit(.minutes(2)))
struct MarketDiscoveryTests {
    let logger = Logger(label: "test.discovery")
    static let interval = Duration.milliseconds(300)

    /// A feed of `exchange` with `selection` and its discovery, not yet running.
    func discoveringFeed(_ exchange: Exchange, _ selection: MarketSelection, quotes: Set<String>, port: Int,
                         streamsPerConnection: Int? = nil, sink: RecordingSink, metrics: Metrics) -> MarketDiscovery {
        let adapter = ExchangeRegistry.adapter(for: exchange)
        let urls = simulatorURLs(exchange, port: port)
        let connections = ExchangeFeed.connections(for: selection.maximumCount ?? 64, policy: adapter.connectionPolicy,
                                                   streamsPerConnection: streamsPerConnection)
        let feed = ExchangeFeed(adapter: adapter, webSocketURL: urls.webSocket, restURL: urls.rest, symbols: [],
                                provisionedConnections: connections, streamsPerConnection: streamsPerConnection,
                                settings: testSettings(), sink: sink, metrics: metrics, logger: logger)
        return MarketDiscovery(feed: feed, selection: selection, quotes: quotes, interval: Self.interval,
                               retry: .init(initial: .milliseconds(100), maximum: .milliseconds(300)), logger: logger)
    }

    func reconnects(_ metrics: Metrics, _ exchange: Exchange, _ reason: String) -> Double {
        metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": exchange.rawValue, "reason": reason]) ?? 0
    }

    func trades(of symbol: Symbol, in sink: RecordingSink, after index: Int = 0) -> Int {
        sink.events.dropFirst(index).count { $0.symbol == symbol && $0.kind == .trade }
    }

    /// After a run: `connections` connections accepted in all (no reconnect but the replacements),
    /// no gap recorded, and every logged trade of the `kept` markets received once.
    func expectNothingLost(_ exchange: Exchange, connections: Int, kept: [Symbol], simulator: ExchangeSimulator, sink: RecordingSink, metrics: Metrics) {
        #expect(simulator.counters(for: exchange).connectionsAccepted == connections)
        for reason in ["closed", "silent", "error", "lifetime"] {
            #expect(reconnects(metrics, exchange, reason) == 0, "a reconnect (\(reason))")
        }
        #expect(sink.gaps.isEmpty, "gaps recorded: \(sink.gaps.map { "\($0.symbol) \($0.channel) \($0.cause)" })")
        for symbol in kept {
            guard let (received, logged) = tradeIDs(of: symbol, on: exchange, received: sink, logged: simulator) else {
                Issue.record("\(symbol): no trades")
                continue
            }
            #expect(received.count == Set(received).count, "\(symbol): a trade received twice")
            #expect(Set(received) == Set(logged), "\(symbol): \(received.count) received, \(logged.count) in the log")
        }
    }

    @Test("all: every KRW market Upbit lists; a listing is subscribed, a delisting unsubscribed, a failed read keeps the symbols; the others lose and repeat no trade")
    func allFollowsListingsAndDelistings() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), rate: 4)
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let discovery = discoveringFeed(.upbit, .all, quotes: ["KRW"], port: port, sink: sink, metrics: metrics)
        let feed = discovery.feed
        #expect(feed.connections.count == 1)
        #expect(feed.status.notReadyReason != nil, "ready before discovery chose anything")
        let krw = simulator.listedSymbols(on: .upbit).filter { $0.quote == "KRW" }
        #expect(krw.count > 20 && krw.count < simulator.listedSymbols(on: .upbit).count)

        let running = RunningFeeds(feed.services + [discovery])
        #expect(await eventually { Set(feed.symbols) == Set(krw) }, "discovered \(feed.symbols)")
        #expect(await eventually { krw.allSatisfy { trades(of: $0, in: sink) > 0 } }, "not every KRW market trades")
        #expect(feed.status.notReadyReason == nil)
        #expect(metricValue(metrics, "coinflux_feed_symbols", ["exchange": "upbit"]) == Double(krw.count))

        // A listing: its trades arrive within a discovery interval and a replacement.
        let pepe = Symbol(base: "PEPE", quote: "KRW")
        #expect(simulator.list(pepe, on: .upbit))
        let listedAt = ContinuousClock.now
        #expect(await eventually { trades(of: pepe, in: sink) > 0 }, "the new market's trades did not arrive")
        #expect(ContinuousClock.now - listedAt < .seconds(5))
        #expect(metricValue(metrics, "coinflux_feed_symbols", ["exchange": "upbit"]) == Double(krw.count + 1))

        // A delisting: its subscription ends, by the same kind of replacement.
        let xrp = Symbol(base: "XRP", quote: "KRW")
        #expect(simulator.delist(xrp, on: .upbit))
        #expect(await eventually { !feed.symbols.contains(xrp) && reconnects(metrics, .upbit, "resubscribe") == 2 })
        // A failed read (the exchange rate-limits its REST API) keeps the symbols, even one delisted meanwhile.
        simulator.inject(.limitREST(.seconds(2), retryAfterSeconds: 1), into: .upbit)
        let eth = Symbol(base: "ETH", quote: "KRW")
        #expect(simulator.delist(eth, on: .upbit))
        #expect(await eventually { (metricValue(metrics, "coinflux_discovery_errors_total", ["exchange": "upbit"]) ?? 0) >= 1 })
        #expect(feed.symbols.contains(eth), "a failed read changed the symbols")
        #expect(await eventually { !feed.symbols.contains(eth) }, "the delisting was not picked up once the market list answered again")
        #expect(await eventually { reconnects(metrics, .upbit, "resubscribe") == 3 })
        try await Task.sleep(for: .seconds(2))
        await running.stop()

        // One connection plus three replacements (listing, two delistings).
        expectNothingLost(.upbit, connections: 4, kept: krw.filter { $0 != xrp && $0 != eth }, simulator: simulator, sink: sink, metrics: metrics)
    }

    @Test("top:3 over Binance connections of two symbols: the three busiest USDT markets; a delisting lets the fourth in on the connection with room, the other connection untouched")
    func topFollowsVolumeAndDelistings() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), rate: 4, binanceStreams: 4)
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let discovery = discoveringFeed(.binance, .top(3), quotes: ["USDT"], port: port, streamsPerConnection: 4, sink: sink, metrics: metrics)
        let feed = discovery.feed
        #expect(feed.connections.count == 2)
        // The simulator's 24 h volume falls with a market's place in the list: BTC, ETH, BNB, SOL, …
        let usdt = simulator.listedSymbols(on: .binance).filter { $0.quote == "USDT" }
        let busiest = Array(usdt.prefix(4))

        let running = RunningFeeds(feed.services + [discovery])
        #expect(await eventually { feed.connections.map(\.symbols) == [Array(busiest[0..<2]), [busiest[2]]] }, "\(feed.connections.map(\.symbols))")
        #expect(await eventually { busiest.prefix(3).allSatisfy { trades(of: $0, in: sink) > 0 } })
        #expect(trades(of: busiest[3], in: sink) == 0)
        #expect(await eventually { feed.status.notReadyReason == nil })

        #expect(simulator.delist(busiest[1], on: .binance))
        #expect(await eventually { feed.connections.map(\.symbols) == [[busiest[0], busiest[3]], [busiest[2]]] }, "\(feed.connections.map(\.symbols))")
        #expect(await eventually { trades(of: busiest[3], in: sink) > 0 }, "the market that moved up did not arrive")
        #expect(await eventually { reconnects(metrics, .binance, "resubscribe") == 1 })
        try await Task.sleep(for: .seconds(2))
        await running.stop()

        // Two connections plus one replacement.
        expectNothingLost(.binance, connections: 3, kept: [busiest[0], busiest[2]], simulator: simulator, sink: sink, metrics: metrics)
    }
}
