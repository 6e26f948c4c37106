import CoinfluxCore
import Logging
import ProcessorCore
import Telemetry
import Testing

@testable import Processor

/// `coinflux_market_tether_premium_ratio`: set from each KRW venue's `USDT-KRW` tickers while an
/// FX rate read recently is known, absent otherwise, and gone with the partition.
@Suite("Tether premium gauge")
struct TetherPremiumGaugeTests {
    static let second: Int64 = 1_000_000_000
    static let start: Int64 = 1_700_000_000 * second

    static func ticker(_ offset: Int, _ exchange: Exchange, _ price: Double, at seconds: Int64) -> SourceMessage {
        let event = MarketEvent(kind: .ticker, exchange: exchange, symbol: .krwPerUSDT, price: price,
                                eventTimeNanos: start + seconds * second, receiveTimeNanos: start + seconds * second)
        return SourceMessage(position: MessagePosition(partition: 0, offset: offset), timeNanos: event.eventTimeNanos, record: .success(.event(event)))
    }

    static func gauge(_ metrics: Metrics) -> [String] {
        var buffer: [UInt8] = []
        metrics.render(into: &buffer)
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("coinflux_market_tether_premium_ratio{") }.sorted()
    }

    @Test func setWhileTheFXRateIsFreshThenRemoved() async throws {
        // The FX rate was read at the start; processor.fx_rate_max_age is 10 minutes.
        let fx = FXRate(krwPerUSD: 1_380, quotedNanos: Self.start - 3_600 * Self.second, observedNanos: Self.start)
        let source = ScriptedSource(polls: [SourceBatch(
            changes: [.assigned(partition: 0, warmupEnd: nil)],
            messages: [Self.ticker(0, .upbit, 1_400, at: 1), Self.ticker(1, .bithumb, 1_366.2, at: 2)],
            exchangeRates: ExchangeRates(fx: fx))])
        let registry = Metrics()
        let metrics = ProcessorMetrics(metrics: registry, ticksTopic: source.topic)
        let logger = Logger(label: "test.tether")
        let delivery = BatchDelivery(writer: GatedWriter(), deadLetters: CollectedDeadLetters(), metrics: metrics, topic: source.topic, logger: logger)
        var loop = ProcessingLoop(source: source, settings: try ProcessingLoopTests.settings(), delivery: delivery, metrics: metrics, logger: logger)

        try await ProcessingLoopTests.step(&loop) { _ in source.commits.last == [0: 2] }
        #expect(Self.gauge(registry) == [
            "coinflux_market_tether_premium_ratio{exchange=\"bithumb\"} \(1_366.2 / 1_380 - 1)",
            "coinflux_market_tether_premium_ratio{exchange=\"upbit\"} \(1_400.0 / 1_380 - 1)",
        ])
        // Eleven minutes after the read: the rate is stale, Upbit's gauge goes.
        source.script(SourceBatch(messages: [Self.ticker(2, .upbit, 1_401, at: 660)]))
        try await ProcessingLoopTests.step(&loop) { _ in source.commits.last == [0: 3] }
        #expect(Self.gauge(registry) == ["coinflux_market_tether_premium_ratio{exchange=\"bithumb\"} \(1_366.2 / 1_380 - 1)"])
        // The partition goes: so does the rest.
        source.script(SourceBatch(changes: [.revoked(partitions: [0])]))
        try await ProcessingLoopTests.step(&loop) { loop in loop.partitions.isEmpty }
        #expect(Self.gauge(registry).isEmpty)
    }
}
