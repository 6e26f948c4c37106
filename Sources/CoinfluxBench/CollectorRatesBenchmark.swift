import Foundation

/// `coinflux collect` beside cryptofeed at the rates a collector really runs at (issue #14): one
/// Binance combined-stream connection (`/binance/stream?streams=…`, trade + 24 h ticker of BTC-USDT
/// and ETH-USDT), offered 2 000, 10 000, 20 000 and 50 000 messages/s, and idle (one frame/s).
///
/// At each rate one simulator serves both collectors, one after the other: coinflux collect (Kafka
/// produce included) for a window, then the cryptofeed peer (`scripts/peer/cryptofeed_binance.py`,
/// callbacks only count) for a window of the same length. CPU per message is utime + stime from
/// /proc over the window divided by the messages handled: frames coinflux parsed, callbacks
/// cryptofeed ran. Absolute figures depend on the machine and its load; the ratio, measured in the
/// same run, is the figure that carries over.
///
/// `COLLECT_RATES` (comma separated, default 2000,10000,20000,50000), `COLLECT_RATES_WINDOW`
/// (seconds, default 15; idle gets twice as long), `COINFLUX_PEER_PYTHON` (the interpreter with
/// cryptofeed installed; without it only coinflux is measured), `COINFLUX_BASELINE_BINARY` (an
/// earlier coinflux, measured the same way between the two: before/after in the same run).
enum CollectorRatesBenchmark {
    /// What one collector used over one window.
    struct Measure {
        var messages: Int
        var offered: Int
        var cpu: Double
        var seconds: Double
        /// CPU seconds by thread group (coinflux only).
        var groups: [(CollectorBenchmark.ThreadGroup, Double)] = []
        /// Upper bound of the 99th percentile of send-to-acknowledgement time (coinflux only).
        var acknowledgementP99: Double?

        var microsecondsPerMessage: Double { 1e6 * cpu / Double(max(messages, 1)) }
        var coreShare: Double { cpu / seconds }
    }

    /// One offered rate's pair of measures.
    struct Row {
        var rate: Int
        var coinflux: Measure
        var baseline: Measure?
        var peer: Measure?
        var idle: Bool { rate <= 1 }
    }

    static let symbols = "BTC-USDT,ETH-USDT"
    static let streams = "btcusdt@trade/btcusdt@ticker/ethusdt@trade/ethusdt@ticker"
    static let peerScript = "scripts/peer/cryptofeed_binance.py"

    static func run(bootstrap: String, binary: String) async throws {
        let environment = ProcessInfo.processInfo.environment
        let rates = (environment["COLLECT_RATES"] ?? "2000,10000,20000,50000").split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        let window = Double(environment["COLLECT_RATES_WINDOW"].flatMap { Int($0) } ?? 15)
        let python = environment["COINFLUX_PEER_PYTHON"]
        let baseline = environment["COINFLUX_BASELINE_BINARY"]
        print("  one Binance combined-stream connection (trade + 24 h ticker, \(symbols)); at each rate one simulator,")
        print("  coinflux collect then cryptofeed (\(python == nil ? "not measured: COINFLUX_PEER_PYTHON is not set" : "scripts/peer/cryptofeed_binance.py")),")
        print("  one after the other, \(Int(window)) s each (idle: \(Int(2 * window)) s); CPU from /proc, per message handled")
        if let baseline { print("  baseline coinflux (\(baseline)) measured between them") }
        var rows: [Row] = []
        for rate in rates + [1] {
            let seconds = rate <= 1 ? 2 * window : window
            rows.append(try await measure(rate: rate, seconds: seconds, bootstrap: bootstrap, binary: binary, baseline: baseline, python: python))
        }
        table(rows)
        try await idleFiveFeeds(seconds: 2 * window, bootstrap: bootstrap, binary: binary, baseline: baseline)
    }

    /// The idle cost with all five exchanges' feeds connected, one frame per second each (issue
    /// #14's idle goal: at most 0.5 % of a core). coinflux only: the peer runs one Binance feed.
    private static func idleFiveFeeds(seconds: Double, bootstrap: String, binary: String, baseline: String?) async throws {
        let simulatorPort = 18_000 + Int.random(in: 0..<500)
        let simulator = try CollectorBenchmark.launch(binary, ["simulate", "--port", "\(simulatorPort)", "--trade-rate", "0.25",
                                                               "--ticker-rate", "0.25", "--log-level", "warning"])
        defer { CollectorBenchmark.stop(simulator) }
        try await Task.sleep(for: .seconds(1))
        print("")
        for (title, collector) in [("coinflux collect", binary)] + (baseline.map { [("baseline coinflux collect", $0)] } ?? []) {
            let measure = try await measureCoinflux(simulatorPort: simulatorPort, seconds: seconds, bootstrap: bootstrap, binary: collector,
                                                    simulator: simulator, allFeeds: true)
            print("  idle, five feeds (1 frame/s each): \(title) " + String(format: "%.2f %% of a core", 100 * measure.coreShare)
                  + " (\(measure.messages) frames in \(Int(seconds)) s)")
        }
    }

    /// Both collectors against one simulator offering `rate` messages/s.
    private static func measure(rate: Int, seconds: Double, bootstrap: String, binary: String, baseline: String?, python: String?) async throws -> Row {
        let simulatorPort = 18_000 + Int.random(in: 0..<500)
        let perStream = Double(rate) / 4  // two markets, a trade stream and a ticker stream each
        let simulator = try CollectorBenchmark.launch(binary, ["simulate", "--port", "\(simulatorPort)", "--trade-rate", "\(perStream)",
                                                               "--ticker-rate", "\(perStream)", "--log-level", "warning"])
        defer { CollectorBenchmark.stop(simulator) }
        try await Task.sleep(for: .seconds(1))
        let label = rate <= 1 ? "idle (1 frame/s)" : "\(rate) msg/s offered"
        let coinflux = try await measureCoinflux(simulatorPort: simulatorPort, seconds: seconds, bootstrap: bootstrap, binary: binary, simulator: simulator)
        report(coinflux, "\(label): coinflux collect ")
        var earlier: Measure?
        if let baseline {
            earlier = try await measureCoinflux(simulatorPort: simulatorPort, seconds: seconds, bootstrap: bootstrap, binary: baseline, simulator: simulator)
            report(earlier!, "\(label): baseline coinflux collect ")
        }
        var peer: Measure?
        if let python {
            peer = try await measurePeer(python: python, simulatorPort: simulatorPort, seconds: seconds)
            print("  \(label): cryptofeed " + (peer.map(describe) ?? "did not report a count (see its log)"))
        }
        return Row(rate: rate, coinflux: coinflux, baseline: earlier, peer: peer)
    }

    /// One coinflux measure with its split by thread group.
    private static func report(_ measure: Measure, _ title: String) {
        let p99 = measure.acknowledgementP99.map { String(format: ", Kafka acknowledgement p99 ≤ %.0f ms", 1000 * $0) } ?? ""
        print("  " + title + describe(measure) + p99)
        for (group, spent) in measure.groups {
            print("      " + group.description.padding(toLength: 62, withPad: " ", startingAt: 0)
                  + String(format: "%7.2f µs", 1e6 * spent / Double(max(measure.messages, 1))))
        }
    }

    private static func describe(_ measure: Measure) -> String {
        String(format: "handled %d of %d offered (%.1f %%), %.2f %% of a core, %.2f µs/msg", measure.messages, measure.offered,
               100 * Double(measure.messages) / Double(max(measure.offered, 1)), 100 * measure.coreShare, measure.microsecondsPerMessage)
    }

    /// One coinflux collect over one window: the Binance combined-stream connection, or with
    /// `allFeeds` every exchange's feed.
    private static func measureCoinflux(simulatorPort: Int, seconds: Double, bootstrap: String, binary: String, simulator: Process,
                                        allFeeds: Bool = false) async throws -> Measure {
        let telemetryPort = 18_500 + Int.random(in: 0..<500)
        let topic = "bench.rates.\(UUID().uuidString.prefix(8).lowercased())"
        var feeds = ["binance": "ws://127.0.0.1:\(simulatorPort)/binance/stream?streams=\(streams)"]
        if allFeeds {
            for exchange in CollectorBenchmark.exchanges where exchange.name != "binance" {
                feeds[exchange.name] = "ws://127.0.0.1:\(simulatorPort)/\(exchange.path)"
            }
        }
        let collector = try CollectorBenchmark.launch(binary, CollectorBenchmark.collectArguments(
            bootstrap: bootstrap, topic: topic, telemetryPort: telemetryPort, feeds: feeds))
        defer { CollectorBenchmark.stop(collector) }
        try await Task.sleep(for: .seconds(5))  // connect, subscribe, reach a steady rate
        let first = try await CollectorBenchmark.snapshot(simulatorPort: simulatorPort, telemetryPort: telemetryPort, simulator: simulator, collector: collector)
        try await Task.sleep(for: .seconds(seconds))
        let last = try await CollectorBenchmark.snapshot(simulatorPort: simulatorPort, telemetryPort: telemetryPort, simulator: simulator, collector: collector)
        let groups = CollectorBenchmark.ThreadGroup.allCases.map {
            ($0, $0.seconds(in: last.collectorThreads) - $0.seconds(in: first.collectorThreads))
        }
        return Measure(messages: last.framesParsed - first.framesParsed, offered: last.framesSent - first.framesSent,
                       cpu: last.collectorCPU - first.collectorCPU, seconds: seconds, groups: groups,
                       acknowledgementP99: CollectorBenchmark.acknowledgementLatency(0.99, from: first, to: last))
    }

    private static func measurePeer(python: String, simulatorPort: Int, seconds: Double) async throws -> Measure? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-peer-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let countFile = folder.appendingPathComponent("count").path
        let logFile = folder.appendingPathComponent("cryptofeed.log").path
        let peer = try CollectorBenchmark.launch(python, [peerScript, "--port", "\(simulatorPort)", "--symbols", symbols,
                                                          "--count-file", countFile, "--log-file", logFile])
        defer { CollectorBenchmark.stop(peer) }
        try await Task.sleep(for: .seconds(5))  // interpreter start, symbol list, connect, steady rate
        guard let first = try await peerSnapshot(peer, countFile: countFile, simulatorPort: simulatorPort) else {
            print("  cryptofeed peer: no count; its log is \(logFile)")
            return nil
        }
        try await Task.sleep(for: .seconds(seconds))
        guard let last = try await peerSnapshot(peer, countFile: countFile, simulatorPort: simulatorPort) else {
            print("  cryptofeed peer: no count; its log is \(logFile)")
            return nil
        }
        return Measure(messages: last.messages - first.messages, offered: last.offered - first.offered,
                       cpu: last.cpu - first.cpu, seconds: seconds)
    }

    /// The peer's count (asked for with SIGUSR1), its CPU and the frames the simulator has sent, or
    /// nil when the peer has exited or does not answer within 2 s.
    private static func peerSnapshot(_ peer: Process, countFile: String, simulatorPort: Int) async throws -> (messages: Int, offered: Int, cpu: Double)? {
        guard peer.isRunning else { return nil }
        try? FileManager.default.removeItem(atPath: countFile)
        let cpu = CPUTime.process(peer.processIdentifier)
        let offered = try await CollectorBenchmark.simulatorCounters(port: simulatorPort).framesSent
        kill(peer.processIdentifier, SIGUSR1)
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: countFile, encoding: .utf8),
               let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return (count, offered, cpu)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// The summary: per rate, each collector's figure and the ratios to coinflux's.
    private static func table(_ rows: [Row]) {
        func cell(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        print("")
        print("  " + cell("offered msg/s", 15) + cell("coinflux µs/msg (NIO / librdkafka / tasks)", 46) + cell("baseline", 11)
              + cell("cryptofeed", 12) + cell("cryptofeed/coinflux", 21) + cell("baseline/coinflux", 19) + "ack p99")
        for row in rows {
            // Idle compares shares of a core; the other rows CPU per message.
            let figure: (Measure) -> Double = row.idle ? { 100 * $0.coreShare } : { $0.microsecondsPerMessage }
            let format = row.idle ? "%.2f %%" : "%.2f"
            let own = figure(row.coinflux)
            let split = row.idle ? "" : " (" + row.coinflux.groups.map {
                String(format: "%.1f", 1e6 * $0.1 / Double(max(row.coinflux.messages, 1)))
            }.joined(separator: " / ") + ")"
            let other: (Measure?) -> String = { $0.map { String(format: format, figure($0)) } ?? "—" }
            let ratio: (Measure?) -> String = { $0.map { String(format: "%.2f×", figure($0) / max(own, 1e-9)) } ?? "—" }
            print("  " + cell(row.idle ? "idle (1/s)" : "\(row.rate)", 15) + cell(String(format: format, own) + split, 46)
                  + cell(other(row.baseline), 11) + cell(other(row.peer), 12) + cell(ratio(row.peer), 21) + cell(ratio(row.baseline), 19)
                  + (row.coinflux.acknowledgementP99.map { String(format: "≤ %.0f ms", 1000 * $0) } ?? "—"))
        }
        print("  (each row: the collectors against the same simulator, one after the other in this run; a collector that")
        print("   handled less than it was offered shows it above; idle is % of a core, not per message; ack p99: the bucket")
        print("   of coinflux_producer_ack_latency_seconds holding the 99th percentile of send-to-acknowledgement times)")
    }
}
