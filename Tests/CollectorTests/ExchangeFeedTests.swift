import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import Telemetry
import Testing

/// An exchange split over several connections, against a simulator that holds each Binance
/// connection to the same lowered stream limit.
@Suite("Exchange feed groups against the simulator", .timeLimit(.minutes(2)))
struct ExchangeFeedTests {
    let logger = Logger(label: "test.feed-group")
    /// Two streams each: with four streams per connection, three connections (2 + 2 + 1 symbols).
    let symbols = ["BTC", "ETH", "SOL", "XRP", "ADA"].map { Symbol(base: $0, quote: "USDT") }

    @Test func splitsOverConnectionsAndIsConnectedOnlyWhileAllAre() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), binanceStreams: 4)
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let urls = simulatorURLs(.binance, port: port)
        let group = ExchangeFeed(adapter: BinanceAdapter(), webSocketURL: urls.webSocket, restURL: urls.rest, symbols: symbols,
                                      streamsPerConnection: 4, settings: testSettings(), sink: sink, metrics: metrics, logger: logger)
        #expect(group.connections.map(\.symbols) == [Array(symbols[0..<2]), Array(symbols[2..<4]), [symbols[4]]])
        func connected() -> Double? { metricValue(metrics, "coinflux_feed_connected", ["exchange": "binance"]) }
        func hasBothChannels(_ symbol: Symbol, after index: Int = 0) -> Bool {
            let kinds = Set(sink.events.dropFirst(index).filter { $0.symbol == symbol }.map(\.kind))
            return kinds == [.ticker, .trade]
        }

        let running = RunningFeeds(group.connections)
        #expect(await eventually { connected() == 1 && symbols.allSatisfy { hasBothChannels($0) } }, "not every symbol arrived")
        let counters = simulator.counters(for: .binance)
        #expect(counters.connectionsOpen == 3)
        #expect(counters.subscriptionsReceived == 3)
        // The simulator refuses a subscription beyond four streams with an error frame: none came.
        #expect(metricValue(metrics, "coinflux_feed_exchange_errors_total", ["exchange": "binance"]) == 0)
        #expect(group.status.notReadyReason == nil)

        // Close the second connection (SOL, XRP) and keep it from reconnecting for a while.
        simulator.inject(.refuse(.seconds(3), status: 503), into: .binance)
        simulator.inject(.closeConnections(carrying: symbols[2]), into: .binance)
        #expect(await eventually { connected() == 0 }, "one connection down, yet the exchange looked connected")
        #expect(group.status.notReadyReason == "websocket connection 2/3 not connected")
        #expect(simulator.counters(for: .binance).connectionsOpen == 2, "the other connections stayed open")
        let outage = sink.events.count
        #expect(await eventually { hasBothChannels(symbols[0], after: outage) && hasBothChannels(symbols[4], after: outage) })
        #expect(connected() == 0, "still down while refused")

        // Once it reconnects and resubscribes, the exchange is connected again and SOL and XRP flow.
        #expect(await eventually { connected() == 1 }, "did not come back")
        #expect(group.status.notReadyReason == nil)
        #expect(await eventually { simulator.counters(for: .binance).connectionsAccepted == 4 })
        #expect(metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": "binance", "reason": "closed"]) == 1)
        let back = sink.events.count
        #expect(await eventually { hasBothChannels(symbols[2], after: back) && hasBothChannels(symbols[3], after: back) })
        await running.stop()
        #expect(connected() == 0)
    }

    /// The five symbols over three Binance connections that never get a socket (the simulator
    /// refuses them), so every ticker comes by REST, polled every 10 ms within `requestsPerSecond`.
    struct RESTOnlyFeeds {
        let group: ExchangeFeed
        let sink = RecordingSink()
        let metrics = Metrics()

        init(port: Int, symbols: [Symbol], requestsPerSecond: Double, logger: Logger) {
            let urls = simulatorURLs(.binance, port: port)
            var settings = testSettings(restFallbackAfter: .zero)
            settings.restPollInterval = .milliseconds(10)
            settings.restRequestsPerSecond = requestsPerSecond
            group = ExchangeFeed(adapter: BinanceAdapter(), webSocketURL: urls.webSocket, restURL: urls.rest, symbols: symbols,
                                      streamsPerConnection: 4, settings: settings, sink: sink, metrics: metrics, logger: logger)
        }

        /// REST polls so far with this outcome (ok, error, rate_limited).
        func polls(_ outcome: String) -> Double {
            metricValue(metrics, "coinflux_feed_rest_polls_total", ["exchange": "binance", "outcome": outcome]) ?? 0
        }
    }

    @Test("the REST fallback of all the exchange's connections together stays within its request budget")
    func restFallbackSharesTheExchangeBudget() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), binanceStreams: 4)
        defer { Task { await simulator.stop() } }
        simulator.inject(.refuse(.seconds(60), status: 503), into: .binance)
        let feeds = RESTOnlyFeeds(port: port, symbols: symbols, requestsPerSecond: 10, logger: logger)
        #expect(feeds.group.connections.count == 3)

        let running = RunningFeeds(feeds.group.connections)
        #expect(await eventually { feeds.polls("ok") >= 3 }, "the REST fallback did not start")
        let (before, begun) = (feeds.polls("ok"), ContinuousClock.now)
        try await Task.sleep(for: .seconds(2))
        let (after, ended) = (feeds.polls("ok"), ContinuousClock.now)
        let seconds = Double((ended - begun).saturatingNanoseconds) / 1e9
        // Three connections polling every 10 ms would send hundreds per second; together they get 10.
        #expect(after - before <= 10 * seconds + 2, "\(after - before) requests in \(seconds) s, budget 10/s")
        #expect(after - before >= 5 * seconds, "only \(after - before) requests in \(seconds) s")
        #expect(feeds.polls("error") == 0)
        #expect(Set(feeds.sink.events.map(\.symbol)) == Set(symbols), "not every symbol's ticker came by REST")
        #expect(feeds.sink.events.allSatisfy { $0.kind == .ticker })
        await running.stop()
    }

    @Test("after HTTP 429 the REST fallback of every connection waits as long as Retry-After says, then resumes")
    func restFallbackHonoursRetryAfter() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), binanceStreams: 4)
        defer { Task { await simulator.stop() } }
        simulator.inject(.refuse(.seconds(60), status: 503), into: .binance)
        let feeds = RESTOnlyFeeds(port: port, symbols: symbols, requestsPerSecond: 20, logger: logger)

        let running = RunningFeeds(feeds.group.connections)
        #expect(await eventually { feeds.polls("ok") >= 3 }, "the REST fallback did not start")
        // The exchange limits for half a second but asks for two seconds of quiet.
        simulator.inject(.limitREST(.milliseconds(500), retryAfterSeconds: 2), into: .binance)
        let limited = ContinuousClock.now
        #expect(await eventually { feeds.polls("rate_limited") >= 1 })
        let okBefore = feeds.polls("ok")
        #expect(await eventually { feeds.polls("ok") > okBefore }, "REST polling never resumed")
        let resumedAfter = ContinuousClock.now - limited
        #expect(resumedAfter >= .milliseconds(1_900), "resumed \(resumedAfter) after the limit; Retry-After was 2 s")
        // Only requests already on the wire when the first 429 came back can meet the limit too.
        #expect(feeds.polls("rate_limited") <= 3, "\(feeds.polls("rate_limited")) requests were refused")
        #expect(feeds.polls("error") == 0)
        await running.stop()
    }
}
