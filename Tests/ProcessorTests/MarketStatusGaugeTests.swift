import CoinfluxCore
import Logging
import ProcessorCore
import Telemetry
import Testing

@testable import Processor

/// `coinflux_market_status_flagged` from the status records the loop takes: set by warm-up
/// records (the state a restart starts from) and by derived ones, for KRW markets only; removed
/// when the partition is revoked.
@Suite("Market status gauge")
struct MarketStatusGaugeTests {
    static func status(_ offset: Int, _ exchange: Exchange, _ symbol: String, flagged: Bool) -> SourceMessage {
        let nanos = 1_700_000_000_000_000_000 + Int64(offset) * 1_000_000_000
        let status = MarketStatus(exchange: exchange, symbol: Symbol(normalized: symbol) ?? Symbol(base: "X", quote: "Y"),
                                  flags: flagged ? MarketFlags(warning: true) : .none, observedNanos: nanos)
        return SourceMessage(position: MessagePosition(partition: 0, offset: offset), timeNanos: nanos, record: .success(.status(status)))
    }

    /// The rendered sample lines of the gauge.
    static func gauge(_ metrics: Metrics) -> [String] {
        var buffer: [UInt8] = []
        metrics.render(into: &buffer)
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("coinflux_market_status_flagged{") }.sorted()
    }

    @Test func warmUpAndDerivedStatusesSetTheGauge() async throws {
        let messages = [
            Self.status(0, .upbit, "ETH-KRW", flagged: true),  // warm-up: the state before the restart
            Self.status(1, .bithumb, "XRP-KRW", flagged: true),  // warm-up, cleared below
            Self.status(2, .upbit, "ETH-BTC", flagged: true),  // not KRW: no gauge
            Self.status(3, .bithumb, "XRP-KRW", flagged: false),
            Self.status(4, .upbit, "BTC-KRW", flagged: false),
        ]
        let source = ScriptedSource(polls: [SourceBatch(changes: [.assigned(partition: 0, warmupEnd: 2)], messages: messages)])
        let writer = GatedWriter()
        let registry = Metrics()
        let metrics = ProcessorMetrics(metrics: registry, ticksTopic: source.topic)
        let logger = Logger(label: "test.status")
        let delivery = BatchDelivery(writer: writer, deadLetters: CollectedDeadLetters(), metrics: metrics, topic: source.topic, logger: logger)
        var loop = ProcessingLoop(source: source, settings: try ProcessingLoopTests.settings(), delivery: delivery, metrics: metrics, logger: logger)

        try await ProcessingLoopTests.step(&loop) { _ in source.commits.last == [0: 5] }
        #expect(Self.gauge(registry) == [
            #"coinflux_market_status_flagged{exchange="bithumb",base="XRP"} 0.0"#,
            #"coinflux_market_status_flagged{exchange="upbit",base="BTC"} 0.0"#,
            #"coinflux_market_status_flagged{exchange="upbit",base="ETH"} 1.0"#,
        ])
        // Warm-up records are not written again; the three derived ones are.
        #expect(writer.lines.count == 3 && writer.lines.allSatisfy { $0.hasPrefix("market_status,") })

        // The partition goes to another replica: its markets' gauges go with it, so this
        // replica's last values cannot keep a market out of (or in) the alerts; taken back, a
        // status sets the gauge again.
        source.script(SourceBatch(changes: [.revoked(partitions: [0])]))
        try await ProcessingLoopTests.step(&loop) { loop in loop.partitions.isEmpty }
        #expect(Self.gauge(registry).isEmpty, "\(Self.gauge(registry))")
        source.script(SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: [Self.status(5, .upbit, "ETH-KRW", flagged: false)]))
        try await ProcessingLoopTests.step(&loop) { _ in source.commits.last == [0: 6] }
        #expect(Self.gauge(registry) == [#"coinflux_market_status_flagged{exchange="upbit",base="ETH"} 0.0"#])
    }
}
