import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import Telemetry
import Testing

/// The other side of gap detection: a feed that misses nothing records nothing, however often
/// its connections are replaced before their lifetime ends and its keepalives are exercised.
@Suite("No false gaps", .timeLimit(.minutes(2)))
struct GapFreeFeedTests {
    let logger = Logger(label: "test.gap-free")

    @Test("every exchange for 30 s, each connection replaced every 2.5 s and idle-cut after 1 s without pings: no gap recorded, every trade of the log received once")
    func handoversRecordNoGap() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(1), rate: 5)
        defer { Task { await simulator.stop() } }
        let sink = RecordingSink(), metrics = Metrics()
        var settings = testSettings(silenceTimeout: .seconds(3))
        settings.maximumConnectionAge = .milliseconds(2_500)
        let feeds = Exchange.allCases.map { exchange in
            let urls = simulatorURLs(exchange, port: port)
            return ExchangeFeed(adapter: ExchangeRegistry.adapter(for: exchange), webSocketURL: urls.webSocket, restURL: urls.rest,
                                symbols: testSymbols(exchange), settings: settings, sink: sink, metrics: metrics, logger: logger)
        }
        let running = RunningFeeds(feeds.flatMap(\.services))
        try await Task.sleep(for: .seconds(30))
        await running.stop()

        for exchange in Exchange.allCases {
            let handovers = metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": exchange.rawValue, "reason": "lifetime"]) ?? 0
            #expect(handovers >= 8, "\(exchange): only \(Int(handovers)) handovers")
            for reason in ["silent", "closed", "error"] {
                #expect((metricValue(metrics, "coinflux_feed_reconnects_total", ["exchange": exchange.rawValue, "reason": reason]) ?? 0) == 0,
                        "\(exchange): a reconnect (\(reason)) besides the handovers")
            }
            for symbol in testSymbols(exchange) {
                guard let (ids, logged) = tradeIDs(of: symbol, on: exchange, received: sink, logged: simulator) else {
                    Issue.record("\(exchange) \(symbol): no trades")
                    continue
                }
                #expect(logged.count > 100, "\(exchange) \(symbol): \(logged.count) trades in the log")
                #expect(ids.count == Set(ids).count, "\(exchange) \(symbol): a trade received twice")
                #expect(Set(ids) == Set(logged), "\(exchange) \(symbol): \(ids.count) received, \(logged.count) in the log")
            }
        }
        #expect(sink.gaps.isEmpty, "gaps recorded: \(sink.gaps.map { "\($0.exchange) \($0.symbol) \($0.channel) \($0.cause)" })")
        for exchange in Exchange.allCases {
            for cause in SeriesGap.Cause.allCases {
                for repaired in ["yes", "partly", "no"] {
                    let counted = metricValue(metrics, "coinflux_gaps_total", ["exchange": exchange.rawValue, "channel": "trade",
                                                                               "cause": cause.rawValue, "repaired": repaired])
                    #expect(counted == 0, "\(exchange): coinflux_gaps_total{cause=\(cause.rawValue), repaired=\(repaired)} = \(counted ?? -1)")
                }
            }
        }
    }
}
