import CoinfluxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Logging
import TestSupport
import Testing

/// Topics and a database of one processor integration test, the real `coinflux process`
/// processes it starts, and a deterministic market to feed them.
struct ProcessorHarness {
    let broker: String
    let influx: InfluxHTTP
    let suffix: String
    var ticks: String { "it.ticks.\(suffix)" }
    var fx: String { "it.fx.\(suffix)" }
    var deadLetters: String { "it.dead.\(suffix)" }

    /// Creates the three topics (ticks with six partitions) and the databases named `databases`.
    /// - Parameters:
    ///   - broker: A broker of the test's own; the shared one by default.
    ///   - influxURL: An InfluxDB of the test's own; the shared one by default.
    static func make(broker: String? = nil, influxURL: String? = nil, databases: [String]) async throws -> ProcessorHarness {
        let broker = try broker ?? TestServices.require(TestServices.kafkaVariable)
        let influx = InfluxHTTP(base: try influxURL ?? TestServices.require(TestServices.influxVariable))
        let harness = ProcessorHarness(broker: broker, influx: influx, suffix: String(UUID().uuidString.prefix(8)))
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: [broker]), logger: Logger(label: "test.admin"))
        try await admin.createTopic(harness.ticks, partitions: 6)
        try await admin.createTopic(harness.fx, partitions: 1)
        try await admin.createTopic(harness.deadLetters, partitions: 1)
        for database in databases {
            try await influx.query("CREATE DATABASE \(database)", database: nil)
        }
        return harness
    }

    /// Produces `events` keyed by base asset; `USDT-KRW` tickers also to the FX topic.
    func produce(_ events: some Sequence<MarketEvent>, pause: Duration? = nil, every: Int = 100) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [broker]), logger: Logger(label: "test.producer"))
        for (index, event) in events.enumerated() {
            let bytes = try EventCodec.encode(event)
            try producer.send(topic: ticks, key: EventCodec.key(for: event), value: bytes)
            if event.symbol.base == "USDT", event.symbol.quote == "KRW" {
                try producer.send(topic: fx, key: "USDT", value: bytes)
            }
            if let pause, index % every == every - 1 {
                try await Task.sleep(for: pause)
            }
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
    }

    /// Produces one raw message to the ticks topic (allowing the producer `maximumBytes`).
    func produceRaw(_ value: [UInt8], key: String, maximumBytes: Int? = nil) async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [broker])
        if let maximumBytes { configuration.additionalProperties = ["message.max.bytes": String(maximumBytes)] }
        let producer = try KafkaProducer(configuration: configuration, logger: Logger(label: "test.producer"))
        try producer.send(topic: ticks, key: key, value: value)
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
    }

    /// Starts `coinflux process` for `group`, writing to `database`.
    func startProcessor(group: String, database: String, extra: [String] = []) throws -> ProcessorProcess {
        let telemetryPort = try freeLoopbackPort()
        return try ProcessorProcess(arguments: [
            "process", "--set", "kafka.brokers=\(broker)", "--set", "kafka.ticks_topic=\(ticks)",
            "--set", "kafka.fx_topic=\(fx)", "--set", "kafka.deadletter_topic=\(deadLetters)",
            "--set", "influxdb.url=\(influx.base)", "--set", "influxdb.database=\(database)",
            "--set", "processor.group=\(group)", "--set", "telemetry.listen=127.0.0.1:\(telemetryPort)",
            "--set", "log.level=info",
        ] + SecretTests.secretSettings() + extra, telemetryPort: telemetryPort)
    }

    /// Starts `coinflux collect` on the harness's topics, its feeds pointed at a simulator on
    /// loopback `simulatorPort` (REST fallback off: its tickers would differ run to run).
    func startCollector(simulatorPort: Int, extra: [String] = []) throws -> ProcessorProcess {
        let telemetryPort = try freeLoopbackPort()
        return try ProcessorProcess(arguments: [
            "collect", "--set", "kafka.brokers=\(broker)", "--set", "kafka.ticks_topic=\(ticks)",
            "--set", "kafka.fx_topic=\(fx)", "--set", "kafka.deadletter_topic=\(deadLetters)",
            "--set", "telemetry.listen=127.0.0.1:\(telemetryPort)", "--set", "collector.rest_fallback_after=1h",
            "--set", "log.level=info",
        ] + simulatorFeedSettings(port: simulatorPort) + SecretTests.secretSettings() + extra, telemetryPort: telemetryPort)
    }

    /// Messages stored in `topic` (high minus low watermark, summed over `partitions`).
    func storedMessages(_ topic: String, partitions: Int) async throws -> Int {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: [broker], groupID: "it-count-\(UUID().uuidString)"),
            logger: Logger(label: "test.consumer"))
        var total = 0
        for partition in 0..<partitions {
            let marks = try await consumer.queryWatermarks(topic: topic, partition: partition)
            total += marks.high - marks.low
        }
        try await consumer.close()
        return total
    }

    /// Waits until `measurement` stops changing for `quiet` (or `timeout` passes); returns its count.
    @discardableResult
    func waitForQuiet(_ measurement: String, field: String, database: String, quiet: Duration = .seconds(4),
                      timeout: Duration = .seconds(120)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var last = -1
        var since = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let now = try await count(measurement, field: field, database: database)
            if now != last {
                last = now
                since = .now
            } else if since.duration(to: .now) >= quiet {
                return now
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    /// Points of `measurement` in `database`.
    func count(_ measurement: String, field: String, database: String) async throws -> Int {
        let series = try await influx.query("SELECT count(\(field)) FROM \(measurement)", database: database)
        return Int(series.first?.values.first?.last?.integer ?? 0)
    }

    /// Waits until `measurement` holds at least `expected` points (or throws after `timeout`).
    func waitForCount(_ measurement: String, field: String, database: String, atLeast expected: Int,
                      timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = 0
        while ContinuousClock.now < deadline {
            last = try await count(measurement, field: field, database: database)
            if last >= expected { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw InfluxHTTP.Failure(description: "\(measurement) in \(database): \(last) points after \(timeout), expected \(expected)")
    }

    /// Every stored ticker row of `database`, keyed by series and time: (price, ema, deviation).
    func tickers(database: String) async throws -> [TickerKey: (price: Double, ema: Double, deviation: Double)] {
        let series = try await influx.query("SELECT price, ema, deviation FROM ticker GROUP BY exchange, symbol", database: database)
        var rows: [TickerKey: (Double, Double, Double)] = [:]
        for one in series {
            for row in one.values {
                guard row.count == 4, let time = row[0].integer, let price = row[1].double, let ema = row[2].double,
                      let deviation = row[3].double else { continue }
                rows[TickerKey(exchange: one.tags?["exchange"] ?? "", symbol: one.tags?["symbol"] ?? "", time: time)] = (price, ema, deviation)
            }
        }
        return rows
    }

    /// The schema's measurements.
    static let measurements = ["ticker", "trade", "premium", "candle_1m"]

    /// Every point of `measurement` in `database`, each as one line (tags, time, fields in
    /// column order; a number in its shortest exact form), sorted; with `keysOnly` only tags and time.
    func points(_ measurement: String, database: String, keysOnly: Bool = false) async throws -> [String] {
        var lines: [String] = []
        for series in try await influx.query("SELECT * FROM \(measurement) GROUP BY *", database: database) {
            let tags = (series.tags ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            for row in series.values {
                let time = row.first?.integer.map(String.init) ?? "?"
                let fields = keysOnly ? "" : zip(series.columns.dropFirst(), row.dropFirst()).map { column, cell in
                    "\(column)=\(cell.isNull ? "null" : cell.double.map { "\($0)" } ?? cell.string ?? "?")"
                }.joined(separator: ",")
                lines.append("\(tags) \(time) \(fields)")
            }
        }
        return lines.sorted()
    }

    /// Compares every measurement of `actual` with `reference`, printing the counts: the
    /// measurements whose points differ (`premium` and `premium_executable` by tags and time only
    /// when `premiumValues` is false: their KRW-per-USDT rate is the newest the processor knew,
    /// which depends on timing), and the measurements named in `also`.
    func differences(actual: String, reference: String, label: String, premiumValues: Bool = true, also: [String] = []) async throws -> [String] {
        var differing: [String] = []
        var counts: [String] = []
        for measurement in Self.measurements + also {
            let keysOnly = measurement.hasPrefix("premium") && !premiumValues
            let expected = try await points(measurement, database: reference, keysOnly: keysOnly)
            let got = try await points(measurement, database: actual, keysOnly: keysOnly)
            counts.append("\(measurement) \(got.count)/\(expected.count)")
            if got != expected {
                let missing = Set(expected).subtracting(got).sorted()
                let extra = Set(got).subtracting(expected).sorted()
                differing.append("\(measurement): \(got.count) points, reference \(expected.count) (\(missing.count) missing or different, \(extra.count) extra or different); "
                    + "first in the reference only: \(missing.prefix(3)); first in the run only: \(extra.prefix(3))")
            }
        }
        print("\(label): points per measurement (actual/reference): \(counts.joined(separator: ", "))")
        return differing
    }

    /// The dead-letter topic's records as JSON objects.
    func deadLetterRecords(expected: Int) async throws -> [[String: Any]] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: [broker], groupID: "it-dead-\(UUID().uuidString)"),
            logger: Logger(label: "test.consumer"))
        try consumer.subscribe(topics: [deadLetters])
        var records: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while records.count < expected, ContinuousClock.now < deadline {
            for message in try await consumer.poll(maximumMessages: 100, timeout: .milliseconds(200)) {
                if let object = try JSONSerialization.jsonObject(with: Data(Array(message.value))) as? [String: Any] {
                    records.append(object)
                }
            }
        }
        try await consumer.close()
        return records
    }
}

/// One stored ticker point.
struct TickerKey: Hashable {
    var exchange: String
    var symbol: String
    var time: Int64
}

/// A running `coinflux` process with its telemetry port; its log goes to a temporary file (a
/// pipe nobody reads would fill up and block it).
final class ProcessorProcess: @unchecked Sendable {
    let process = Process()
    let telemetryPort: Int
    let logFile: URL

    init(arguments: [String], telemetryPort: Int) throws {
        self.telemetryPort = telemetryPort
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-it-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: logFile.path])
        }
        process.executableURL = CommandLineTests.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    /// The process's whole log (its standard error).
    var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// The end of the process's log, for failure messages.
    var logTail: String {
        String(log.suffix(3000))
    }

    /// Waits for the process to exit on its own; returns its status, or nil if it still runs after `timeout`.
    func waitForExit(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then waits up to `timeout`; returns the exit status and how long the exit took,
    /// or nil (and kills it) if it did not exit in time.
    func terminate(within timeout: Duration) async -> (status: Int32, took: Duration)? {
        let start = ContinuousClock.now
        process.terminate()
        guard let status = await waitForExit(within: timeout) else {
            killNow()
            return nil
        }
        return (status, start.duration(to: .now))
    }

    /// SIGKILL: no flush, no commit, no leaving the group.
    func killNow() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        SecretTests.expectNoSecret(log, in: "coinflux log")
    }

    /// SIGTERM and wait; returns the exit status. The log must show no secret.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        SecretTests.expectNoSecret(log, in: "coinflux log")
        return process.terminationStatus
    }

    /// The `/metrics` text (empty when the endpoint is not up yet).
    func metrics() async -> String {
        await get("/metrics").body
    }

    /// Status and body of a telemetry endpoint.
    func get(_ path: String) async -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(telemetryPort)\(path)"),
              let (data, response) = try? await URLSession.shared.data(from: url) else { return (0, "") }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The value of one sample line (`name{labels}`), if present.
    func sample(_ series: String) async -> Double? {
        await metrics().split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// Resident set size in bytes, from /proc.
    var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }
}

/// A deterministic market: for each base, a Binance USDT ticker, an Upbit KRW ticker and Upbit
/// KRW trades (every other pair in the same millisecond), 100 ms apart, plus a USDT-KRW ticker
/// every tenth step.
enum TestMarket {
    static let start: Int64 = 1_767_225_600_000_000_000  // 2026-01-01T00:00:00Z
    static let bases = ["BTC", "ETH", "XRP"]

    /// - Parameter constantRate: Every USDT-KRW ticker at 1 400, so that premiums do not depend
    ///   on which rate a processor happened to know (it uses the newest it has read).
    static func events(steps: Int, from first: Int = 0, constantRate: Bool = false) -> [MarketEvent] {
        var events: [MarketEvent] = []
        for step in first..<(first + steps) {
            let time = start + Int64(step) * 100_000_000
            for (index, base) in bases.enumerated() {
                let level = Double(100 * (index + 1))
                let wave = level * (1 + 0.01 * sin(Double(step) / 17) + 0.002 * cos(Double(step * (index + 3)) / 5))
                events.append(MarketEvent(kind: .ticker, exchange: .binance, symbol: Symbol(base: base, quote: "USDT"),
                                          price: wave, eventTimeNanos: time, receiveTimeNanos: time))
                events.append(MarketEvent(kind: .ticker, exchange: .upbit, symbol: Symbol(base: base, quote: "KRW"),
                                          price: (wave * 1_400).rounded(), eventTimeNanos: time + 1_000_000, receiveTimeNanos: time + 1_000_000))
                // Trades in pairs that share a millisecond.
                let tradeTime = start + Int64(step / 2) * 200_000_000 + 2_000_000
                events.append(MarketEvent(kind: .trade, exchange: .upbit, symbol: Symbol(base: base, quote: "KRW"),
                                          price: (wave * 1_401).rounded(), size: 0.5 + Double(step % 3),
                                          eventTimeNanos: tradeTime, receiveTimeNanos: tradeTime,
                                          tradeID: String(1_000_000 + step), side: step % 2 == 0 ? .buy : .sell))
            }
            if step % 10 == 0 {
                events.append(MarketEvent(kind: .ticker, exchange: .upbit, symbol: Symbol(base: "USDT", quote: "KRW"),
                                          price: constantRate ? 1_400 : 1_400 + Double(step % 7), eventTimeNanos: time, receiveTimeNanos: time))
            }
        }
        return events
    }

    /// Ticker events in `events`.
    static func tickerCount(_ events: [MarketEvent]) -> Int { events.count { $0.kind == .ticker } }

    /// Candles that close within `events`: per trade series, its distinct minutes minus the open one.
    static func closedCandles(_ events: [MarketEvent]) -> Int {
        var minutes: [String: Set<Int64>] = [:]
        for event in events where event.kind == .trade {
            minutes["\(event.exchange) \(event.symbol)", default: []].insert(event.eventTimeNanos / 60_000_000_000)
        }
        return minutes.values.reduce(0) { $0 + $1.count - 1 }
    }
}
