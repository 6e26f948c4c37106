import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import Telemetry
import Testing

/// The feed service against the exchange simulator over real sockets on loopback.
@Suite("Exchange feeds against the simulator", .timeLimit(.minutes(2)))
struct FeedConnectionTests {
    let logger = Logger(label: "test.feed")

    /// The exchange's feeds for the test symbols: one connection, as they are few.
    func makeFeeds(_ exchange: Exchange, port: Int, settings: FeedSettings, sink: RecordingSink, metrics: Metrics) -> [FeedConnection] {
        let urls = simulatorURLs(exchange, port: port)
        return ExchangeFeed(adapter: ExchangeRegistry.adapter(for: exchange), webSocketURL: urls.webSocket, restURL: urls.rest,
                                 symbols: testSymbols(exchange), settings: settings, sink: sink, metrics: metrics, logger: logger).connections
    }

    @Test func everyFeedSubscribesAndStaysConnectedPastTheIdleCutOff() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(1))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let feeds = Exchange.allCases.flatMap { makeFeeds($0, port: port, settings: testSettings(), sink: sink, metrics: metrics) }
        let running = RunningFeeds(feeds)
        // Three times the simulator's idle cut-off: a feed that did not keep alive would be dropped.
        try await Task.sleep(for: .seconds(3.5))
        for exchange in Exchange.allCases {
            let counters = simulator.counters(for: exchange)
            #expect(counters.connectionsAccepted == 1, "\(exchange) reconnected: \(counters)")
            #expect(counters.keepaliveDrops == 0, "\(exchange) was dropped for breaking the keepalive rule")
            #expect(counters.subscriptionsReceived >= 1, "\(exchange) never subscribed")
            let events = sink.events(from: exchange)
            #expect(events.contains { $0.kind == .ticker }, "no ticker from \(exchange)")
            #expect(events.contains { $0.kind == .trade }, "no trade from \(exchange)")
            #expect(Set(events.map(\.symbol)).isSubset(of: Set(testSymbols(exchange))))
            #expect(metricValue(metrics, "coinflux_feed_connected", ["exchange": exchange.rawValue]) == 1)
            #expect(metricValue(metrics, "coinflux_feed_parse_errors_total", ["exchange": exchange.rawValue]) == 0)
        }
        await running.stop()
    }

    @Test func reconnectsAndResubscribesAfterTheServerCloses() async throws {
        let (simulator, port) = try await startSimulator()
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let running = RunningFeeds(makeFeeds(.upbit, port: port, settings: testSettings(), sink: sink, metrics: metrics))
        #expect(await eventually { simulator.counters(for: .upbit).subscriptionsReceived == 1 && !sink.events.isEmpty })
        simulator.inject(.close, into: .upbit)
        #expect(await eventually { simulator.counters(for: .upbit).subscriptionsReceived == 2 })
        #expect(simulator.counters(for: .upbit).connectionsAccepted == 2)
        #expect(metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": "upbit", "reason": "closed"]) == 1)
        let before = sink.events.count
        #expect(await eventually { sink.events.count > before + 5 }, "no data after resubscribing")
        await running.stop()
    }

    @Test func detectsASilentSocketWithinTheConfiguredTime() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let silenceTimeout = Duration.seconds(1)
        let running = RunningFeeds(makeFeeds(.bybit, port: port, settings: testSettings(silenceTimeout: silenceTimeout), sink: sink, metrics: metrics))
        #expect(await eventually { !sink.events.isEmpty })
        let injected = ContinuousClock.now
        simulator.inject(.silence(.seconds(10)), into: .bybit)
        let detected = await eventually {
            metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": "bybit", "reason": "silent"]) == 1
        }
        let elapsed = ContinuousClock.now - injected
        #expect(detected)
        // Not before the timeout; within it plus one watchdog tick (250 ms), the 200 ms close timeout and slack.
        #expect(elapsed >= silenceTimeout, "declared dead after only \(elapsed)")
        #expect(elapsed < silenceTimeout + .milliseconds(1500), "took \(elapsed) to notice")
        #expect(await eventually { simulator.counters(for: .bybit).connectionsAccepted == 2 }, "did not replace the socket")
        await running.stop()
    }

    @Test("a connection reaching the exchange's lifetime is replaced by one opened before it closes: no gap, no duplicate")
    func replacesTheConnectionBeforeItsLifetimeEnds() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        var settings = testSettings(silenceTimeout: .seconds(2))  // the watchdog looks every 0.5 s
        settings.maximumConnectionAge = .milliseconds(1_200)
        // A failure would wait up to 10 s before reconnecting; a planned replacement does not.
        settings.backoff = .init(initial: .seconds(10), maximum: .seconds(10))
        let running = RunningFeeds(makeFeeds(.binance, port: port, settings: settings, sink: sink, metrics: metrics))
        #expect(await eventually { simulator.counters(for: .binance).subscriptionsReceived == 1 && !sink.events.isEmpty })
        // Sample the connected gauge throughout: make before break never reads 0.
        let sampler = Task {
            var lowest = 1.0
            while !Task.isCancelled {
                lowest = min(lowest, metricValue(metrics, "coinflux_feed_connected", ["exchange": "binance"]) ?? 0)
                try? await Task.sleep(for: .milliseconds(5))
            }
            return lowest
        }
        let started = ContinuousClock.now
        #expect(await eventually { simulator.counters(for: .binance).subscriptionsReceived == 3 }, "not replaced twice")
        #expect(await eventually { simulator.counters(for: .binance).connectionsOpen == 1 }, "the replaced connections stayed open")
        let elapsed = ContinuousClock.now - started
        try await Task.sleep(for: .milliseconds(200))
        sampler.cancel()
        let lowestConnected = await sampler.value
        await running.stop()

        // Two lifetimes (1.2 s, noticed within a 0.5 s watchdog tick), no backoff pause.
        #expect(elapsed >= .milliseconds(2_400), "replaced after \(elapsed), before its lifetime")
        #expect(elapsed < .milliseconds(3_800), "two replacements took \(elapsed)")
        #expect(simulator.counters(for: .binance).connectionsAccepted == 3)
        #expect(metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": "binance", "reason": "lifetime"]) == 2)
        #expect(metricValue(metrics, "coinflux_feed_connect_attempts_total", ["exchange": "binance", "outcome": "failed"]) == 0)
        #expect(lowestConnected == 1, "the exchange read disconnected during a replacement")
        // Data throughout, at the simulator's 20 frames/s per stream.
        let times = sink.events(from: .binance).map(\.receiveTimeNanos).sorted()
        let largestGap = zip(times.dropFirst(), times).map { $0 - $1 }.max() ?? .max
        #expect(largestGap < 300_000_000, "a \(largestGap / 1_000_000) ms gap in the data")
        for symbol in testSymbols(.binance) {
            let ids = sink.events(from: .binance).filter { $0.symbol == symbol && $0.kind == .trade }.compactMap { $0.tradeID.flatMap(UInt64.init) }
            #expect(!ids.isEmpty)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count, "\(symbol) trades out of order or twice")
        }
    }

    @Test("a replacement the exchange refuses leaves the old connection working; it is tried again until it succeeds")
    func keepsTheConnectionWhileItsReplacementFails() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        var settings = testSettings(silenceTimeout: .seconds(2))
        settings.maximumConnectionAge = .milliseconds(1_000)
        let running = RunningFeeds(makeFeeds(.binance, port: port, settings: settings, sink: sink, metrics: metrics))
        #expect(await eventually { simulator.counters(for: .binance).subscriptionsReceived == 1 && !sink.events.isEmpty })
        simulator.inject(.refuse(.seconds(2), status: 503), into: .binance)
        let refusedFrom = ContinuousClock.now
        #expect(await eventually { simulator.counters(for: .binance).connectionsRefused >= 1 }, "no replacement was tried")
        let duringRefusal = sink.events.count
        #expect(await eventually { sink.events.count > duringRefusal + 10 }, "the old connection stopped delivering")
        #expect(metricValue(metrics, "coinflux_feed_connected", ["exchange": "binance"]) == 1)
        // Once the exchange accepts again, a retry replaces the connection.
        #expect(await eventually { simulator.counters(for: .binance).subscriptionsReceived == 2 }, "never replaced")
        #expect(ContinuousClock.now - refusedFrom >= .seconds(2))
        #expect(await eventually { simulator.counters(for: .binance).connectionsOpen == 1 })
        // Counted once the old connection's attempt has ended (after the simulator saw it close).
        #expect(await eventually { metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": "binance", "reason": "lifetime"]) == 1 })
        #expect((metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": "binance", "reason": "error"]) ?? 0) == 0)
        await running.stop()
    }

    @Test("upgrades the exchange refuses leave no socket behind")
    func refusedUpgradesCloseTheirSockets() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        simulator.inject(.refuse(.seconds(3), status: 503), into: .coinone)
        let running = RunningFeeds(makeFeeds(.coinone, port: port, settings: testSettings(), sink: sink, metrics: metrics))
        #expect(await eventually { simulator.counters(for: .coinone).connectionsRefused >= 3 }, "fewer than 3 refused attempts")
        #expect(await eventually { simulator.counters(for: .coinone).connectionsAccepted == 1 && !sink.events.isEmpty })
        let refused = simulator.counters(for: .coinone).connectionsRefused
        // The exchange closed each refused connection; the collector must have closed its end too.
        #expect(await eventually(timeout: .seconds(3)) { socketsInCloseWait(toPort: port) == 0 },
                "\(socketsInCloseWait(toPort: port)) sockets left half-closed after \(refused) refused upgrades")
        await running.stop()
    }

    @Test func backsOffWhileRefusedAndFallsBackToREST() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let settings = testSettings(restFallbackAfter: .milliseconds(500))
        let running = RunningFeeds(makeFeeds(.coinone, port: port, settings: settings, sink: sink, metrics: metrics))
        // Coinone takes one request per pair and channel: remember how many one connection sends.
        let perConnection = 2 * testSymbols(.coinone).count
        #expect(await eventually {
            simulator.counters(for: .coinone).connectionsAccepted == 1 && simulator.counters(for: .coinone).subscriptionsReceived == perConnection
                && !sink.events.isEmpty
        })
        let refusal = Duration.seconds(5)
        simulator.inject(.refuse(refusal, status: 503), into: .coinone)
        simulator.inject(.close, into: .coinone)
        let start = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(100))
        let eventsBeforeFallback = sink.events.count

        // Record when each refused attempt reaches the server.
        var attempts: [ContinuousClock.Instant] = []
        var seen = simulator.counters(for: .coinone).connectionsRefused
        while ContinuousClock.now - start < refusal - .milliseconds(300) {
            let refused = simulator.counters(for: .coinone).connectionsRefused
            if refused > seen {
                attempts.append(contentsOf: Array(repeating: ContinuousClock.now, count: refused - seen))
                seen = refused
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let gaps = zip(attempts.dropFirst(), attempts).map { $0 - $1 }
        #expect(attempts.count >= 4, "only \(attempts.count) attempts in \(refusal)")
        // Without backoff a refused client retries as fast as it connects (hundreds per second).
        #expect(attempts.count <= 30, "\(attempts.count) attempts: no backoff")
        for gap in gaps {
            #expect(gap <= .milliseconds(800) + .milliseconds(400), "gap \(gap) above the 800 ms cap")
        }
        // The ceiling doubles from 100 ms, so later gaps reach beyond the first ceilings, and full jitter varies them.
        #expect(gaps.contains { $0 > .milliseconds(200) }, "gaps never grew: \(gaps)")
        #expect(Set(gaps.map { $0 / .milliseconds(10) }).count > 1, "gaps show no jitter: \(gaps)")

        // While the socket is refused, the REST fallback delivers tickers.
        let duringRefusal = sink.events.dropFirst(eventsBeforeFallback)
        #expect(!duringRefusal.isEmpty && duringRefusal.allSatisfy { $0.kind == .ticker }, "REST delivered \(duringRefusal.count) events")
        let restPolls = metricValue(metrics, "coinflux_feed_rest_polls_total", ["exchange": "coinone", "outcome": "ok"]) ?? 0
        #expect(restPolls > 0)
        #expect(metricValue(metrics, "coinflux_feed_connected", ["exchange": "coinone"]) == 0)

        // Once the refusal ends the feed is back, and the REST polling stops.
        #expect(await eventually { simulator.counters(for: .coinone).subscriptionsReceived == 2 * perConnection })
        #expect(simulator.counters(for: .coinone).connectionsAccepted == 2)
        try await Task.sleep(for: .milliseconds(300))
        let pollsAfterReconnect = metricValue(metrics, "coinflux_feed_rest_polls_total", ["exchange": "coinone", "outcome": "ok"])
        try await Task.sleep(for: .seconds(1))
        #expect(metricValue(metrics, "coinflux_feed_rest_polls_total", ["exchange": "coinone", "outcome": "ok"]) == pollsAfterReconnect)
        await running.stop()
    }

    @Test func countsMalformedFramesAndKeepsGoing() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60))
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        let running = RunningFeeds(makeFeeds(.binance, port: port, settings: testSettings(), sink: sink, metrics: metrics))
        #expect(await eventually { !sink.events.isEmpty })
        simulator.inject(.malformed(count: 5), into: .binance)
        #expect(await eventually { (metricValue(metrics, "coinflux_feed_parse_errors_total", ["exchange": "binance"]) ?? 0) >= 5 })
        let before = sink.events.count
        #expect(await eventually { sink.events.count > before + 5 }, "the feed stopped after malformed frames")
        #expect(simulator.counters(for: .binance).connectionsAccepted == 1)
        await running.stop()
    }
}
