import CoinfluxCore
import Collector
import Exchanges
import Logging
import Simulator
import Synchronization
import Telemetry
import Testing

/// Collects the statuses a poller publishes.
final class RecordingStatusSink: MarketStatusSink {
    private let recorded = Mutex<[MarketStatus]>([])

    func publish(_ status: MarketStatus) -> Bool {
        recorded.withLock { $0.append(status) }
        return true
    }

    var statuses: [MarketStatus] { recorded.withLock { $0 } }

    /// The flags of the latest status of `symbol`, if any was published.
    func latest(_ symbol: Symbol) -> MarketFlags? {
        statuses.last { $0.symbol == symbol }?.flags
    }
}

/// The market-status poller against the simulator, whose Upbit and Bithumb markets are flagged
/// at run time: every read publishes every tracked market's flags, only those, and a failing
/// read publishes nothing and is counted.
@Suite("Market status poller against the simulator", .timeLimit(.minutes(2)))
struct MarketStatusPollerTests {
    static let interval = Duration.milliseconds(200)

    /// A poller of `exchange`'s feed tracking `symbols`, not yet running.
    func poller(_ exchange: Exchange, _ symbols: [Symbol], port: Int, sink: RecordingStatusSink, metrics: Metrics) throws -> MarketStatusPoller {
        let adapter = try #require(ExchangeRegistry.adapter(for: exchange) as? any MarketStatusAdapter)
        let urls = simulatorURLs(exchange, port: port)
        let feed = ExchangeFeed(adapter: adapter, webSocketURL: urls.webSocket, restURL: urls.rest, symbols: symbols,
                                settings: testSettings(), sink: RecordingSink(), metrics: metrics, logger: Logger(label: "test.status"))
        return MarketStatusPoller(feed: feed, adapter: adapter, sink: sink, interval: Self.interval, metrics: metrics, logger: Logger(label: "test.status"))
    }

    func polls(_ metrics: Metrics, _ exchange: Exchange, _ outcome: String) -> Double {
        metricValue(metrics, "coinflux_market_status_polls_total", ["exchange": exchange.rawValue, "outcome": outcome]) ?? 0
    }

    @Test("Upbit: a warning and an alert set and cleared reach the tracked market's status; untracked markets are not published")
    func upbitFlags() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), rate: 1)
        defer { Task { await simulator.stop() } }
        let btc = Symbol(base: "BTC", quote: "KRW"), eth = Symbol(base: "ETH", quote: "KRW"), xrp = Symbol(base: "XRP", quote: "KRW")
        let sink = RecordingStatusSink(), metrics = Metrics()
        let running = RunningFeeds([try poller(.upbit, [btc, eth], port: port, sink: sink, metrics: metrics)])
        #expect(await eventually { sink.latest(btc) == MarketFlags.none && sink.latest(eth) == MarketFlags.none })

        #expect(simulator.flag(eth, on: .upbit, MarketFlags(warning: true, cautions: ["PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING"])))
        #expect(simulator.flag(xrp, on: .upbit, MarketFlags(warning: true)))
        #expect(await eventually { sink.latest(eth) == MarketFlags(warning: true, cautions: ["PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING"]) })
        #expect(sink.latest(btc) == MarketFlags.none)
        #expect(simulator.flag(eth, on: .upbit, .none))
        #expect(await eventually { sink.latest(eth) == MarketFlags.none })
        await running.stop()

        #expect(Set(sink.statuses.map(\.symbol)) == [btc, eth], "only tracked markets")
        #expect(sink.statuses.allSatisfy { $0.exchange == .upbit && $0.observedNanos > 0 })
        // Every read publishes both markets: as many statuses of each.
        #expect(sink.statuses.count { $0.symbol == btc } == sink.statuses.count { $0.symbol == eth })
        #expect(polls(metrics, .upbit, "ok") >= 3 && polls(metrics, .upbit, "failed") == 0)
        // One request per read (one more when the last was cut short by the stop).
        let requests = simulator.restRequests(for: .upbit).requests, reads = Int(polls(metrics, .upbit, "ok"))
        #expect(requests == reads || requests == reads + 1, "\(requests) requests for \(reads) reads")
    }

    @Test("Bithumb: market_warning and the alert list combine; a rate-limited read publishes nothing and is counted")
    func bithumbFlagsAndFailures() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), rate: 1)
        defer { Task { await simulator.stop() } }
        let btc = Symbol(base: "BTC", quote: "KRW"), usdt = Symbol(base: "USDT", quote: "KRW")
        let sink = RecordingStatusSink(), metrics = Metrics()
        #expect(simulator.flag(btc, on: .bithumb, MarketFlags(warning: true, cautions: ["PRICE_DIFFERENCE_HIGH", "PRICE_SUDDEN_FLUCTUATION"])))
        #expect(simulator.flag(usdt, on: .bithumb, MarketFlags(cautions: ["EXCHANGE_TRADING_CONCENTRATION"])))
        #expect(!simulator.flag(btc, on: .binance, MarketFlags(warning: true)), "only Upbit and Bithumb flag markets")
        let running = RunningFeeds([try poller(.bithumb, [btc, usdt], port: port, sink: sink, metrics: metrics)])
        #expect(await eventually { sink.latest(btc) != nil && sink.latest(usdt) != nil })
        #expect(sink.latest(btc) == MarketFlags(warning: true, cautions: ["PRICE_DIFFERENCE_HIGH", "PRICE_SUDDEN_FLUCTUATION"]))
        #expect(sink.latest(usdt) == MarketFlags(cautions: ["EXCHANGE_TRADING_CONCENTRATION"]))

        simulator.inject(.limitREST(.seconds(1), retryAfterSeconds: 1), into: .bithumb)
        #expect(await eventually { polls(metrics, .bithumb, "failed") >= 1 })
        let published = sink.statuses.count
        #expect(simulator.flag(btc, on: .bithumb, .none))
        #expect(await eventually(timeout: .seconds(15)) { sink.latest(btc) == MarketFlags.none }, "the reads did not recover")
        await running.stop()
        #expect(sink.statuses.count > published)
        #expect(sink.statuses.count % 2 == 0, "a read published only part of the markets")
    }
}
