import Foundation
import Logging
import Simulator
import TestSupport
import Testing

/// Secrets given to coinflux never show: not in a log line, not in `coinflux config`, not on
/// `/metrics`. Every secret here carries ``marker``, and every captured output is searched for it.
@Suite("Secrets stay secret", .serialized, .timeLimit(.minutes(3)))
struct SecretTests {
    /// Every test secret starts with this; no output may contain it.
    static let marker = "coinflux-test-secret-"

    static func secret() -> String { marker + UUID().uuidString.prefix(8).lowercased() }

    /// The settings that hand a command one secret of each kind.
    static func secretSettings() -> [String] {
        ["--set", "influxdb.username=coinflux", "--set", "influxdb.password=\(secret())",
         "--set", "kafka.properties.sasl.password=\(secret())", "--set", "kafka.properties.ssl.key.password=\(secret())"]
    }

    static func expectNoSecret(_ text: String, in what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = text.split(separator: "\n").filter { $0.contains(marker) }
        #expect(lines.isEmpty, "\(what) shows a secret:\n\(lines.prefix(5).joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test("coinflux config redacts the password, the token and secret Kafka properties, on success and on error")
    func configOutput() throws {
        let v1 = try CommandLineTests().run(["config"] + Self.secretSettings())
        #expect(v1.status == 0, "\(v1.standardError)")
        #expect(v1.standardOutput.contains("password: <redacted>"))
        Self.expectNoSecret(v1.standardOutput + v1.standardError, in: "coinflux config")

        let v2 = try CommandLineTests().run(["config", "--set", "influxdb.api=v2", "--set", "influxdb.org=o", "--set", "influxdb.url=http://127.0.0.1:1",
                                             "--set", "influxdb.token=\(Self.secret())"])
        #expect(v2.status == 0, "\(v2.standardError)")
        Self.expectNoSecret(v2.standardOutput + v2.standardError, in: "coinflux config (v2)")

        // A configuration error next to a secret.
        let invalid = try CommandLineTests().run(["config", "--set", "processor.ema_alpha=7"] + Self.secretSettings())
        #expect(invalid.status == 2)
        Self.expectNoSecret(invalid.standardOutput + invalid.standardError, in: "coinflux config (invalid)")
    }

    @Test("coinflux process and collect: no secret in the log or on /metrics, also while InfluxDB refuses connections",
          .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable)))
    func runningCommands() async throws {
        let database = "secret_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [database])
        // InfluxDB down first (its errors are logged), then the real one.
        let down = try harness.startProcessor(group: "secret-down-\(harness.suffix)", database: database,
                                              extra: Self.secretSettings() + ["--set", "influxdb.url=http://127.0.0.1:\(try freeLoopbackPort())"])
        try await harness.produce(TestMarket.events(steps: 100))
        let processor = try harness.startProcessor(group: "secret-\(harness.suffix)", database: database, extra: Self.secretSettings())
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: TestMarket.tickerCount(TestMarket.events(steps: 100)))

        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 20, tickersPerSecond: 20, seed: 3), logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        let collector = try harness.startCollector(simulatorPort: port, extra: Self.secretSettings())
        try await Task.sleep(for: .seconds(4))
        for (name, process) in [("process (InfluxDB down)", down), ("process", processor), ("collect", collector)] {
            Self.expectNoSecret(await process.metrics(), in: "\(name) /metrics")
            Self.expectNoSecret(await process.get("/readyz").body, in: "\(name) /readyz")
            #expect(process.terminate() == 0)
            Self.expectNoSecret(process.log, in: "\(name) log")
        }
        await simulator.stop()
    }
}
