import Foundation
import Logging
import Simulator
import TestSupport
import Testing

/// What `docker compose logs` shows an operator: a status line per interval, and connection
/// failures once per state change rather than once per attempt.
@Suite("Operator log", .serialized, .timeLimit(.minutes(2)))
struct OperatorLogTests {
    @Test("coinflux run logs a status line per interval: each exchange's connections and events/s, the processor's points/s, lag and state")
    func statusLine() async throws {
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 20, tickersPerSecond: 20, seed: 3), logger: Logger(label: "test.simulator"))
        let simulatorPort = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let port = try freeLoopbackPort()
        let points = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-status-\(UUID().uuidString).lp").path
        defer { try? FileManager.default.removeItem(atPath: points) }
        let process = try ProcessorProcess(arguments: ["run", "--set", "log.status_interval=1s", "--set", "run.points_file=\(points)",
                                                       "--set", "telemetry.listen=127.0.0.1:\(port)"] + simulatorFeedSettings(port: simulatorPort),
                                           telemetryPort: port)
        try await Task.sleep(for: .seconds(4))
        let lines = process.log.split(separator: "\n").filter { $0.contains("status: ") }
        #expect(lines.count >= 2, "\(process.logTail)")
        let last = String(lines.last ?? "")
        for exchange in ["binance", "bithumb", "bybit", "coinone", "upbit"] {
            #expect(last.contains("\(exchange): connected 1/1, "), "\(last)")
        }
        #expect(last.contains("processor: ") && last.contains("points/s written") && last.contains("running"), "\(last)")
        #expect(await process.terminate(within: .seconds(20))?.status == 0)
    }

    @Test("offline: a feed that cannot connect warns once, then retries quietly; the status line says it is down")
    func failuresOncePerStateChange() async throws {
        let port = try freeLoopbackPort()
        let closed = try freeLoopbackPort()
        var settings = ["run", "--set", "log.status_interval=2s", "--set", "run.points_file=/dev/null", "--set", "telemetry.listen=127.0.0.1:\(port)",
                        "--set", "collector.reconnect_initial=100ms", "--set", "collector.reconnect_max=200ms"]
        for exchange in ["binance", "bithumb", "bybit", "coinone", "upbit"] {
            settings += ["--set", "collector.\(exchange).url=ws://127.0.0.1:\(closed)/", "--set", "collector.\(exchange).rest_url=http://127.0.0.1:\(closed)"]
        }
        let process = try ProcessorProcess(arguments: settings, telemetryPort: port)
        try await Task.sleep(for: .seconds(5))
        let log = process.log
        #expect(log.components(separatedBy: "websocket cannot connect, retrying with backoff").count - 1 == 5,
                "one warning per exchange in 5 s of attempts every 100-200 ms:\n\(log.suffix(2_000))")
        #expect(log.contains("binance: connected 0/1"), "\(log.suffix(1_000))")
        #expect(await process.terminate(within: .seconds(20))?.status == 0)
    }
}
