import CoinfluxCore
import Collector
import Foundation
import Logging
import Telemetry
import Testing

@testable import coinflux

/// Takes what feeds and pollers would publish, and keeps nothing: the assembly is only built.
private final class DiscardingSink: MarketEventSink, MarketStatusSink {
    func publish(_ events: [MarketEvent]) -> [Int] { [] }
    func publish(_ gap: SeriesGap) {}
    func publish(_ status: MarketStatus) -> Bool { true }
}

extension ConfigurationTests {
    /// The exchanges whose feeds get a market-status poller under `configuration`.
    func statusPollerExchanges(_ configuration: CoinfluxConfiguration) -> [Exchange] {
        let sink = DiscardingSink(), metrics = Metrics(), logger = Logger(label: "test.assembly")
        let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: Readiness(),
                                       status: StatusReport(interval: .seconds(60), logger: logger), logger: logger)
        return FeedAssembly.statusPollers(configuration, feeds: feeds, sink: sink, metrics: metrics, logger: logger).map(\.exchange)
    }

    @Test("collector.market_status_interval: 60 s by default, 0 turns the pollers off; Upbit and Bithumb v1 only")
    func marketStatusInterval() throws {
        let defaults = try load(nil)
        #expect(defaults.feedTiming.marketStatusInterval == .seconds(60))
        #expect(statusPollerExchanges(defaults) == [.bithumb, .upbit])
        #expect(try load("collector:\n  market_status_interval: 5m\n").feedTiming.marketStatusInterval == .seconds(300))
        let off = try load(nil, set: ["collector.market_status_interval=0s"])
        #expect(off.feedTiming.marketStatusInterval == .zero)
        #expect(statusPollerExchanges(off).isEmpty)
        #expect(statusPollerExchanges(try load(nil, set: ["collector.bithumb.api=legacy"])) == [.upbit])
        #expect(statusPollerExchanges(try load(nil, set: ["collector.upbit.enabled=false"])) == [.bithumb])
        #expect(error(nil, set: ["collector.market_status_interval=-1s"])?.key == "collector.market_status_interval")
        #expect(error(nil, set: ["collector.market_status_interval=often"])?.key == "collector.market_status_interval")
    }
}
