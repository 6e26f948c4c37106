import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `coinflux collect` under load (issue #3): the simulator offers about 50 000 frames/s over the
/// five exchanges' connections; over a 20 s window this prints the frames offered, the frames the
/// collector parsed, the events Kafka acknowledged, and the CPU each process used. Simulator,
/// collector and broker share the machine's cores, as they would on one host.
enum CollectorBenchmark {
    static let framesPerSecond = 50_000
    static let connections = 5  // one per exchange with the default symbols
    static let window: Duration = .seconds(20)

    static func run(bootstrap: String, binary: String) async throws {
        let simulatorPort = 18_000 + Int.random(in: 0..<500)
        let telemetryPort = 18_500 + Int.random(in: 0..<500)
        let topic = "bench.collect.\(UUID().uuidString.prefix(8).lowercased())"
        let simulator = try launch(binary, ["simulate", "--port", "\(simulatorPort)", "--rate", "\(framesPerSecond / connections)",
                                            "--log-level", "warning"])
        defer { stop(simulator) }
        try await Task.sleep(for: .seconds(1))
        var arguments = ["collect", "--set", "kafka.brokers=\(bootstrap)", "--set", "kafka.ticks_topic=\(topic)",
                         "--set", "kafka.fx_topic=\(topic).fx", "--set", "kafka.deadletter_topic=\(topic).dead",
                         "--set", "telemetry.listen=127.0.0.1:\(telemetryPort)", "--set", "log.level=warning",
                         "--set", "collector.rest_fallback_after=1h"]
        for (exchange, path) in [("binance", "binance/ws"), ("upbit", "upbit/websocket/v1"), ("bybit", "bybit/v5/public/spot"),
                                 ("bithumb", "bithumb/websocket/v1"), ("coinone", "coinone/")] {
            arguments += ["--set", "collector.\(exchange).url=ws://127.0.0.1:\(simulatorPort)/\(path)"]
        }
        let collector = try launch(binary, arguments)
        defer { stop(collector) }
        try await Task.sleep(for: .seconds(5))  // connect, subscribe, reach a steady rate

        let first = try await snapshot(simulatorPort: simulatorPort, telemetryPort: telemetryPort, simulator: simulator)
        try await Task.sleep(for: window)
        let last = try await snapshot(simulatorPort: simulatorPort, telemetryPort: telemetryPort, simulator: simulator)
        let seconds = window.seconds
        let offered = last.framesSent - first.framesSent
        let parsed = last.framesParsed - first.framesParsed
        let delivered = last.delivered - first.delivered
        print("  simulator asked for \(framesPerSecond) frames/s over \(connections) connections; \(Int(seconds)) s window")
        Bench.record("frames sent by the simulator", operations: offered, seconds: seconds, unit: "frames")
        let parsedRow = Bench.record("frames parsed by coinflux collect", operations: parsed, seconds: seconds, unit: "frames")
        let deliveredRow = Bench.record("events acknowledged by Kafka", operations: delivered, seconds: seconds, unit: "events")
        print(String(format: "  %-58@ %7.1f %%", "frames parsed / frames sent" as NSString, 100 * Double(parsed) / Double(max(offered, 1))))
        print(String(format: "  %-58@ %7.1f %%", "collector CPU (100 %% = one core)" as NSString,
                     100 * (last.collectorCPU - first.collectorCPU) / seconds))
        print(String(format: "  %-58@ %7.1f %%", "simulator CPU (100 %% = one core)" as NSString,
                     100 * (last.simulatorCPU - first.simulatorCPU) / seconds))
        print(String(format: "  %-58@ %7.1f µs", "collector CPU per parsed frame" as NSString,
                     1e6 * (last.collectorCPU - first.collectorCPU) / Double(max(parsed, 1))))
        Bench.blackHole((parsedRow, deliveredRow))
    }

    private struct Snapshot {
        var framesSent = 0
        var framesParsed = 0
        var delivered = 0
        var collectorCPU = 0.0
        var simulatorCPU = 0.0
    }

    private static func snapshot(simulatorPort: Int, telemetryPort: Int, simulator: Process) async throws -> Snapshot {
        var snapshot = Snapshot()
        let counters = try await get("http://127.0.0.1:\(simulatorPort)/admin/counters")
        if let object = try JSONSerialization.jsonObject(with: Data(counters.utf8)) as? [String: [String: Any]] {
            snapshot.framesSent = object.values.reduce(0) { $0 + ($1["framesSent"] as? Int ?? 0) }
        }
        let metrics = try await get("http://127.0.0.1:\(telemetryPort)/metrics")
        for line in metrics.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            if parts[0].hasPrefix("coinflux_feed_frames_total{"), parts[0].contains("kind=\"data\"") {
                snapshot.framesParsed += Int(value)
            } else if parts[0] == "coinflux_producer_deliveries_total{outcome=\"delivered\"}" {
                snapshot.delivered = Int(value)
            } else if parts[0] == "process_cpu_seconds_total" {
                snapshot.collectorCPU = value
            }
        }
        snapshot.simulatorCPU = CPUTime.process(simulator.processIdentifier)
        return snapshot
    }

    private static func get(_ address: String) async throws -> String {
        guard let url = URL(string: address) else { throw BenchError(reason: "bad URL \(address)") }
        let (data, _) = try await URLSession.shared.data(from: url)
        return String(decoding: data, as: UTF8.self)
    }

    private static func launch(_ binary: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
