import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Logging
import Simulator
import TestSupport
import Testing

/// Every startup failure ends with one line naming the cause and the setting, a documented exit
/// status (2: configuration, 1: everything else) and no trap or backtrace; where waiting is right
/// (a server down at start) the process waits, reports not-ready, says so once, and stops on
/// SIGTERM. The real binary, as an operator runs it.
@Suite("Startup failures", .serialized)
struct StartupFailureTests {
    /// Signs of a trap, an assertion or a crash in a log.
    static let trapMarks = ["Fatal error", "Backtracing", "Program crashed", "assert", "Illegal instruction", "Segmentation"]

    static func expectNoTrap(_ log: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for mark in trapMarks {
            #expect(!log.contains(mark), "log shows \"\(mark)\":\n\(log.suffix(2_000))", sourceLocation: sourceLocation)
        }
    }

    /// Runs `coinflux` with `arguments` and waits for it to exit on its own.
    static func exit(_ arguments: [String], within timeout: Duration = .seconds(60)) async throws -> (status: Int32?, log: String) {
        let process = try ProcessorProcess(arguments: arguments, telemetryPort: 0)
        let status = await process.waitForExit(within: timeout)
        if status == nil { process.killNow() }
        return (status, process.log)
    }

    /// Settings that keep a command away from anything real but what a test names.
    static func isolated(telemetry port: Int) -> [String] {
        ["--set", "telemetry.listen=127.0.0.1:\(port)", "--set", "log.level=info", "--set", "startup.grace=1s"]
    }

    // MARK: The telemetry address

    @Test("a telemetry port in use ends every command with status 1 naming telemetry.listen", arguments: ["collect", "process", "run"])
    func telemetryPortInUse(command: String) async throws {
        let taken = try ListeningSocket()
        let outcome = try await Self.exit([command, "--set", "influxdb.url=http://127.0.0.1:1", "--set", "kafka.brokers=127.0.0.1:1"]
            + Self.isolated(telemetry: taken.port), within: .seconds(30))
        #expect(outcome.status == 1)
        #expect(outcome.log.contains("coinflux: telemetry.listen: cannot listen on 127.0.0.1:\(taken.port)"), "\(outcome.log.suffix(1_000))")
        #expect(outcome.log.contains("Address already in use"))
        #expect(!outcome.log.contains("processor started"), "nothing starts before the address is checked")
        Self.expectNoTrap(outcome.log)
    }

    @Test("a telemetry address of another host ends with status 1 naming telemetry.listen")
    func telemetryAddressNotLocal() async throws {
        let outcome = try await Self.exit(["process", "--set", "influxdb.url=http://127.0.0.1:1", "--set", "kafka.brokers=127.0.0.1:1",
                                           "--set", "telemetry.listen=192.0.2.1:9464"], within: .seconds(30))
        #expect(outcome.status == 1)
        #expect(outcome.log.contains("coinflux: telemetry.listen: cannot listen on 192.0.2.1:9464"), "\(outcome.log.suffix(1_000))")
        #expect(outcome.log.contains("Cannot assign requested address"))
        Self.expectNoTrap(outcome.log)
    }

    // MARK: InfluxDB

    /// `coinflux process` against the test broker and the InfluxDB `settings` name, on fresh topics.
    static func processAgainst(_ settings: [String]) throws -> ProcessorProcess {
        let broker = try TestServices.require(TestServices.kafkaVariable)
        let suffix = UUID().uuidString.prefix(8)
        let port = try freeLoopbackPort()
        return try ProcessorProcess(arguments: [
            "process", "--set", "kafka.brokers=\(broker)", "--set", "kafka.ticks_topic=startup.ticks.\(suffix)",
            "--set", "kafka.fx_topic=startup.fx.\(suffix)", "--set", "kafka.deadletter_topic=startup.dead.\(suffix)",
            "--set", "processor.group=startup-\(suffix)",
        ] + settings + Self.isolated(telemetry: port), telemetryPort: port)
    }

    @Test("InfluxDB misconfigured at start: status 1 after startup.grace, naming the settings and the cause",
          .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable)),
          arguments: [InfluxFault.unresolvable, .unauthorized, .tlsToPlainPort, .missingDatabase])
    func influxMisconfigured(fault: InfluxFault) async throws {
        let server = try fault.server()
        let process = try Self.processAgainst(try fault.settings(server: server))
        let status = await process.waitForExit(within: .seconds(45))
        if status == nil { process.killNow() }
        let log = process.log
        #expect(status == 1, "\(log.suffix(1_500))")
        #expect(log.contains("coinflux: influxdb is not usable (check influxdb.url"), "\(log.suffix(1_500))")
        #expect(log.contains(fault.expectedCause), "expected \"\(fault.expectedCause)\" in:\n\(log.suffix(1_500))")
        #expect(log.components(separatedBy: "cannot be used as configured").count == 2, "said once, not per attempt")
        #expect(!log.contains("processor started"))
        Self.expectNoTrap(log)
    }

    @Test("InfluxDB refusing connections at start: the processor waits not-ready, says so once, and stops on SIGTERM",
          .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
    func influxDownAtStartIsWaitedFor() async throws {
        let closed = try freeLoopbackPort()
        let process = try Self.processAgainst(["--set", "influxdb.url=http://127.0.0.1:\(closed)"])
        try await Task.sleep(for: .seconds(5))
        #expect(process.process.isRunning, "waiting, not exiting: \(process.logTail)")
        let ready = await process.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.body.contains("\"influxdb\""), "\(ready.body)")
        let log = process.log
        #expect(log.components(separatedBy: "influxdb not available; waiting").count == 2, "said once in 5 s of retries:\n\(log.suffix(1_500))")
        let stopped = await process.terminate(within: .seconds(10))
        #expect(stopped?.status == 0)
        #expect((stopped?.took ?? .seconds(99)) < .seconds(5))
        Self.expectNoTrap(process.log)
    }

    // MARK: Kafka

    @Test("a broker name that does not resolve ends collect and process with status 1 naming kafka.brokers",
          arguments: ["collect", "process"])
    func brokerUnresolvable(command: String) async throws {
        let outcome = try await Self.exit([command, "--set", "kafka.brokers=no-such-broker.invalid:9092",
                                           "--set", "influxdb.url=http://127.0.0.1:1"] + Self.isolated(telemetry: try freeLoopbackPort()))
        #expect(outcome.status == 1, "\(outcome.log.suffix(1_500))")
        #expect(outcome.log.contains("coinflux: kafka is not usable (check kafka.brokers)"), "\(outcome.log.suffix(1_500))")
        #expect(outcome.log.contains("Failed to resolve"))
        Self.expectNoTrap(outcome.log)
    }

    @Test("a broker down at start is waited for, said once; SIGTERM ends the process within its deadline",
          arguments: ["collect", "process"])
    func brokerDownAtStart(command: String) async throws {
        let closed = try freeLoopbackPort()
        let port = try freeLoopbackPort()
        let process = try ProcessorProcess(arguments: [command, "--set", "kafka.brokers=127.0.0.1:\(closed)",
                                                       "--set", "influxdb.url=http://127.0.0.1:1"] + Self.isolated(telemetry: port),
                                           telemetryPort: port)
        try await Task.sleep(for: .seconds(12))
        #expect(process.process.isRunning, "\(process.logTail)")
        let ready = await process.get("/readyz")
        #expect(ready.status == 503 && ready.body.contains("\"kafka\""), "\(ready.body)")
        #expect(process.log.components(separatedBy: "kafka not available; waiting").count == 2, "said once:\n\(process.logTail)")
        let stopped = await process.terminate(within: .seconds(40))
        #expect(stopped != nil, "still running 40 s after SIGTERM")
        #expect((stopped?.took ?? .seconds(99)) <= (command == "collect" ? .seconds(25) : .seconds(25)))
        #expect(stopped?.status == 0)
        Self.expectNoTrap(process.log)
    }

    // MARK: The points file and the configuration

    @Test("a points file that cannot be opened ends coinflux run with status 1 naming run.points_file",
          arguments: ["/nonexistent-directory/points.lp", "/tmp"])
    func pointsFileUnwritable(path: String) async throws {
        let outcome = try await Self.exit(["run", "--set", "run.points_file=\(path)"] + Self.isolated(telemetry: try freeLoopbackPort()))
        #expect(outcome.status == 1)
        #expect(outcome.log.contains("coinflux: run.points_file: cannot open \(path) for appending"), "\(outcome.log.suffix(1_000))")
        Self.expectNoTrap(outcome.log)
    }

    @Test("a full disk under coinflux run's points file: the run waits not-ready, says so once, and stops on SIGTERM")
    func pointsFileDiskFull() async throws {
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 20, tickersPerSecond: 20, seed: 5), logger: Logger(label: "test.simulator"))
        let simulatorPort = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let port = try freeLoopbackPort()
        let process = try ProcessorProcess(arguments: ["run", "--set", "run.points_file=/dev/full", "--set", "processor.shutdown_timeout=1s",
                                                       "--set", "influxdb.flush_interval=50ms"]
            + simulatorFeedSettings(port: simulatorPort) + Self.isolated(telemetry: port), telemetryPort: port)
        let deadline = ContinuousClock.now + .seconds(20)
        var ready = await process.get("/readyz")
        while !ready.body.contains("No space left on device"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            ready = await process.get("/readyz")
        }
        #expect(ready.status == 503 && ready.body.contains("\"writer\"") && ready.body.contains("No space left on device"), "\(ready.body)")
        try await Task.sleep(for: .seconds(3))
        let log = process.log
        #expect(log.components(separatedBy: "cannot append to the line-protocol file").count == 2, "said once:\n\(log.suffix(1_500))")
        #expect(await process.sample("coinflux_processor_paused") == 1)
        let stopped = await process.terminate(within: .seconds(20))
        #expect(stopped?.status == 0)
        #expect((stopped?.took ?? .seconds(99)) < .seconds(10))
        #expect(process.log.contains("they are lost (no Kafka)"), "what could not be written is said: \(process.logTail)")
        Self.expectNoTrap(process.log)
    }

    @Test("an exchange URL with the wrong scheme is a configuration error: status 2 naming the key")
    func exchangeURLWrongScheme() async throws {
        let outcome = try await Self.exit(["collect", "--set", "collector.binance.url=http://stream.binance.com/ws"], within: .seconds(15))
        #expect(outcome.status == 2)
        #expect(outcome.log.contains("collector.binance.url"))
        #expect(outcome.log.contains("scheme \"http\" is not one of ws, wss"))
        Self.expectNoTrap(outcome.log)
    }
}

/// Ways InfluxDB can be unusable as configured.
enum InfluxFault: String, CustomTestStringConvertible, Sendable {
    case unresolvable, unauthorized, tlsToPlainPort, missingDatabase

    var testDescription: String { rawValue }

    /// What the failure message must say.
    var expectedCause: String {
        switch self {
        case .unresolvable: "host name does not resolve"
        case .unauthorized: "credentials refused (HTTP 401"
        case .tlsToPlainPort: "TLS handshake failed"
        case .missingDatabase: "not found"
        }
    }

    /// A server that answers 401 to everything, for `.unauthorized`.
    func server() throws -> UnauthorizedServer? {
        self == .unauthorized ? try UnauthorizedServer() : nil
    }

    /// The `--set` flags of the InfluxDB this fault makes.
    func settings(server: UnauthorizedServer?) throws -> [String] {
        switch self {
        case .unresolvable:
            return ["--set", "influxdb.url=http://no-such-influxdb.invalid:8086"]
        case .unauthorized:
            return ["--set", "influxdb.url=http://127.0.0.1:\(server?.port ?? 1)"]
        case .tlsToPlainPort:
            let plain = try TestServices.require(TestServices.influxVariable)
            return ["--set", "influxdb.url=\(plain.replacingOccurrences(of: "http://", with: "https://"))"]
        case .missingDatabase:
            return ["--set", "influxdb.url=\(try TestServices.require(TestServices.influxVariable))",
                    "--set", "influxdb.database=missing_\(UUID().uuidString.prefix(8).lowercased())"]
        }
    }
}

/// An HTTP server (Python's http.server) that answers every request with 401, as an InfluxDB
/// with authentication does to a wrong token.
final class UnauthorizedServer: @unchecked Sendable {
    let port: Int
    private let process = Process()

    init() throws {
        port = try freeLoopbackPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import http.server, sys
            class Handler(http.server.BaseHTTPRequestHandler):
                def answer(self):
                    length = int(self.headers.get("Content-Length") or 0)
                    self.rfile.read(length)
                    body = b'{"error":"authorization failed"}'
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                do_GET = do_POST = answer
                def log_message(self, *args): pass
            http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
            """, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready once it accepts a connection.
        for _ in 0..<100 where !acceptsConnections(port: port) {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit {
        // SIGKILL without waiting: Foundation reaps the child (waitUntilExit here can hang).
        kill(process.processIdentifier, SIGKILL)
    }
}

/// A socket listening on a free loopback port for as long as it lives: a port in use.
final class ListeningSocket {
    let port: Int
    private let descriptor: Int32

    init() throws {
        (descriptor, port) = try loopbackSocket(listening: 4)
    }

    deinit {
        close(descriptor)
    }
}
