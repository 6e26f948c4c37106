import CoinfluxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Logging
import Simulator
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// simulator → the real `coinflux collect` process → the real broker.
@Suite("coinflux collect into Kafka", .timeLimit(.minutes(3)))
struct CollectIntegrationTests {
    @Test(.enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
    func eventsFromAllFiveExchangesArriveInOrderAndNoneIsLost() async throws {
        let broker = try TestServices.require(TestServices.kafkaVariable)
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 20, tickersPerSecond: 20, seed: 11),
                                          logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        let suffix = UUID().uuidString.prefix(8)
        let ticks = "it.ticks.\(suffix)", fx = "it.fx.\(suffix)"
        let telemetryPort = try freeLoopbackPort()

        var arguments = ["collect", "--set", "kafka.brokers=\(broker)", "--set", "kafka.ticks_topic=\(ticks)",
                         "--set", "kafka.fx_topic=\(fx)", "--set", "kafka.deadletter_topic=it.dead.\(suffix)",
                         "--set", "telemetry.listen=127.0.0.1:\(telemetryPort)",
                         "--set", "collector.rest_fallback_after=1h", "--set", "log.level=warning"]
        arguments += simulatorFeedSettings(port: port)
        let collector = Process()
        collector.executableURL = CommandLineTests.executable
        collector.arguments = arguments
        let errors = Pipe()
        collector.standardError = errors
        collector.standardOutput = FileHandle.nullDevice
        try collector.run()
        defer { if collector.isRunning { collector.interrupt(); collector.waitUntilExit() } }

        // Let it stream, then stop the source so the totals settle.
        try await Task.sleep(for: .seconds(6))
        await simulator.stop()
        try await Task.sleep(for: .seconds(3))
        let metrics = try await scrape("http://127.0.0.1:\(telemetryPort)/metrics")
        let queuedTicks = try #require(sample(metrics, "coinflux_producer_messages_total{topic=\"\(ticks)\",outcome=\"queued\"}"))
        let droppedTicks = sample(metrics, "coinflux_producer_messages_total{topic=\"\(ticks)\",outcome=\"dropped\"}")
        let queuedFX = sample(metrics, "coinflux_producer_messages_total{topic=\"\(fx)\",outcome=\"queued\"}") ?? 0

        collector.terminate()  // SIGTERM: graceful shutdown, flush, exit 0
        collector.waitUntilExit()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(collector.terminationStatus == 0, "collect exited with \(collector.terminationStatus): \(log.suffix(2000))")
        #expect(droppedTicks == 0)
        #expect(queuedTicks > 100)
        #expect(queuedFX > 0, "no USDT-KRW rate reached the FX topic")

        // Every queued message is in the topic: nothing lost while the broker was up.
        let records = try await readAll(ticks, broker: broker, expected: Int(queuedTicks))
        #expect(records.count == Int(queuedTicks))
        let events = records.compactMap { partition, record in
            if case .event(let event) = record { (partition: partition, event: event) } else { nil }
        }
        #expect(Set(events.map(\.event.exchange)) == Set(Exchange.allCases), "exchanges seen: \(Set(events.map(\.event.exchange)))")

        // Keyed by base asset, and per-key order preserved: within a partition, each market's trade
        // sequence (the exchanges' increasing trade ids) only goes up.
        var lastSequence: [String: Int64] = [:]
        var partitionsByBase: [String: Int] = [:]
        var checked = 0
        for (partition, event) in events {
            #expect(partitionsByBase[event.symbol.base, default: partition] == partition, "\(event.symbol.base) spans partitions")
            partitionsByBase[event.symbol.base] = partition
            guard event.kind == .trade, let sequence = event.sequence ?? event.tradeID.flatMap({ Int64($0) }) else { continue }
            let market = "\(event.exchange.rawValue) \(event.symbol)"
            if let previous = lastSequence[market] {
                #expect(sequence > previous, "\(market): trade \(sequence) after \(previous)")
            }
            lastSequence[market] = sequence
            checked += 1
        }
        #expect(checked > 50)
    }

    /// Reads `topic` from the beginning until `expected` messages arrived (or 30 s passed).
    /// Every record of `topic` (market events, and the gap and market status records beside them).
    private func readAll(_ topic: String, broker: String, expected: Int) async throws -> [(partition: Int, record: MarketRecord)] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: [broker], groupID: "it-\(UUID().uuidString)"),
            logger: Logger(label: "test.consumer"))
        try consumer.subscribe(topics: [topic])
        func decoded(_ message: KafkaMessage) throws -> (Int, MarketRecord) {
            (message.partition, try Array(message.value).withUnsafeBytes { try EventCodec.decodeRecord($0) })
        }
        var records: [(Int, MarketRecord)] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while records.count < expected, ContinuousClock.now < deadline {
            records += try await consumer.poll(maximumMessages: 1000, timeout: .milliseconds(200)).map(decoded)
        }
        // Anything beyond the expected count would be a duplicate; give it a moment to show up.
        records += try await consumer.poll(maximumMessages: 1000, timeout: .milliseconds(500)).map(decoded)
        try await consumer.close()
        return records
    }

    private func scrape(_ url: String) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return String(decoding: data, as: UTF8.self)
    }

    private func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }
}

/// The `--set` flags that point every exchange feed at a simulator on loopback `port`.
func simulatorFeedSettings(port: Int) -> [String] {
    let paths = ["binance": "binance/ws", "upbit": "upbit/websocket/v1", "bybit": "bybit/v5/public/spot",
                 "bithumb": "bithumb/websocket/v1", "coinone": "coinone/"]
    return paths.sorted { $0.key < $1.key }.flatMap { exchange, path in
        ["--set", "collector.\(exchange).url=ws://127.0.0.1:\(port)/\(path)",
         "--set", "collector.\(exchange).rest_url=http://127.0.0.1:\(port)/\(exchange)"]
    }
}
