import Foundation
import Testing

/// Runs the built `coinflux` executable the way an operator would and checks exit statuses and messages.
@Suite("Command line")
struct CommandLineTests {
    /// The `coinflux` binary SwiftPM built next to the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("coinflux")
    }

    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       standardOutput: String(decoding: outputData, as: UTF8.self),
                       standardError: String(decoding: errorData, as: UTF8.self))
    }

    @Test func helpListsEverySubcommand() throws {
        let outcome = try run(["--help"])
        #expect(outcome.status == 0)
        for subcommand in ["collect", "process", "run", "simulate", "decode", "config", "version"] {
            #expect(outcome.standardOutput.contains(subcommand), "help does not mention \(subcommand)")
        }
    }

    @Test func versionPrintsTheVersion() throws {
        let outcome = try run(["version"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.hasPrefix("coinflux "))
    }

    /// `coinflux decode` prints book messages in the book form and trades in the event form, and
    /// reports a broken book message with its line number.
    @Test func decodePrintsBooksAndEvents() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-decode-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let frames = [
            #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","0"]]}"#,
            #"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true}"#,
            #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"b":[]}"#,
        ]
        try frames.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let outcome = try run(["decode", "--exchange", "binance", file.path])
        #expect(outcome.status == 1)
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix(#"{"v":1,"type":"book","exchange":"binance","symbol":"BNB-BTC","book":"delta","bids":[[0.0024,10.0]],"asks":[[0.0026,0.0]],"first_update_id":157,"update_id":160,"event_time_ns":1672515782136000000,"#) == true)
        #expect(lines.last?.hasPrefix(#"{"v":1,"type":"trade","exchange":"binance","symbol":"BNB-BTC","price":0.001,"size":100.0,"#) == true)
        #expect(outcome.standardError.contains("line 3: missing field u"))
    }

    @Test func invalidConfigurationExitsWithStatusTwoNamingTheKey() throws {
        let outcome = try run(["config", "--set", "processor.ema_alpha=1.5"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("processor.ema_alpha"))
        #expect(outcome.standardError.contains("outside (0, 1]"))
    }

    @Test func missingConfigurationFileExitsWithStatusTwo() throws {
        let outcome = try run(["config", "--config", "/nonexistent/coinflux.yaml"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("/nonexistent/coinflux.yaml"))
    }

    @Test func invalidEnvironmentOverrideExitsWithStatusTwo() throws {
        let outcome = try run(["config"], environment: ["COINFLUX_INFLUXDB_URL": "influx:8086"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("COINFLUX_INFLUXDB_URL"))
    }

    @Test func validConfigurationPrintsTheEffectiveValues() throws {
        let outcome = try run(["config", "--set", "kafka.brokers=k1:9092"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("brokers: \"k1:9092\""))
    }
}

extension CommandLineTests {
    @Test func badMarketSelectionExitsWithStatusTwoNamingTheKey() throws {
        for value in ["top:0", "top:x"] {
            let outcome = try run(["config", "--set", "collector.binance.symbols=\(value)"])
            #expect(outcome.status == 2, "\(value)")
            #expect(outcome.standardError.contains("collector.binance.symbols"), "\(value)")
        }
    }
}
