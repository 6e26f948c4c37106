import CoinfluxCore
import Foundation
import Kafka
import Logging
import TestSupport
import Testing

/// Bad input never crashes a command and never stops the stream: each kind gets a clear message
/// and a counter. The real binary, the real broker and InfluxDB 1.6.
@Suite("Bad input", .serialized, .timeLimit(.minutes(5)))
struct BadInputTests {
    // MARK: Kafka messages the processor cannot use

    /// One raw `market.ticks` message and what the processor must do with it.
    struct Poison: CustomStringConvertible {
        var name: String
        var payload: [UInt8]
        var description: String { name }

        static func event(_ name: String, _ json: String) -> Poison { Poison(name: name, payload: Array(json.utf8)) }
    }

    static let time = TestMarket.start + 3_600_000_000_000  // an hour after the test market's start

    /// A ticker's JSON with `symbol` and `price` spliced in as given.
    static func ticker(symbol: String = "\"BTC-KRW\"", price: String = "100", extra: String = "", time: String = "\(time)") -> String {
        "{\"v\":1,\"type\":\"ticker\",\"exchange\":\"upbit\",\"symbol\":\(symbol),\"price\":\(price),"
            + "\"event_time_ns\":\(time),\"receive_time_ns\":\(time)\(extra)}"
    }

    /// Messages that do not decode: each must be dead-lettered with its reason.
    static let undecodable: [Poison] = [
        .event("symbol with a space", ticker(symbol: "\"B TC-KRW\"")),
        .event("symbol with a comma", ticker(symbol: "\"BTC,X-KRW\"")),
        .event("symbol with =", ticker(symbol: "\"BT=C-KRW\"")),
        .event("symbol with quotes", ticker(symbol: "\"\\\"BTC\\\"-KRW\"")),
        .event("symbol with a control character", ticker(symbol: "\"BT\\u0001C-KRW\"")),
        .event("symbol with a newline", ticker(symbol: "\"BTC\\n-KRW\"")),
        Poison(name: "symbol with invalid UTF-8", payload: Array(ticker(symbol: "\"BT\u{1}C-KRW\"").utf8).map { $0 == 1 ? 0xFF : $0 }),
        .event("price +infinity (1e999)", ticker(price: "1e999")),
        .event("price -infinity (-1e999)", ticker(price: "-1e999")),
        .event("price NaN", ticker(price: "NaN")),
        .event("bid infinite", ticker(extra: ",\"bid\":1e999")),
        .event("event time after 2262", ticker(time: "9223372036854775808")),
        .event("event time before 1677", ticker(time: "-9223372036854775809")),
        Poison(name: "one megabyte of garbage", payload: Array(repeating: UInt8(ascii: "x"), count: 1_000_000)),
    ]

    @Test("undecodable messages, impossible prices and extreme times: dead-lettered or counted, the rest written, the stream goes on",
          .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable)))
    func poisonMessages() async throws {
        let database = "bad_input_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [database])
        let before = TestMarket.events(steps: 50)
        let after = TestMarket.events(steps: 50, from: 50)
        try await harness.produce(before)
        for poison in Self.undecodable {
            try await harness.produceRaw(poison.payload, key: "BTC", maximumBytes: 2_000_000)
        }
        // Decodable, but no statistics: zero and negative prices and trade sizes, and a trade in
        // the first minute of Int64 time (1677), whose candle minute cannot be represented.
        let firstNanosecond: Int64 = -9_223_372_036_854_775_000  // 1677-09-21T00:12:43.145225Z
        let invalid = [
            "{\"v\":1,\"type\":\"trade\",\"exchange\":\"upbit\",\"symbol\":\"FIRST-KRW\",\"price\":5,\"size\":1,\"event_time_ns\":\(firstNanosecond),\"receive_time_ns\":\(Self.time),\"trade_id\":\"3\"}",
            Self.ticker(symbol: "\"ZERO-KRW\"", price: "0"),
            Self.ticker(symbol: "\"NEG-KRW\"", price: "-5"),
            "{\"v\":1,\"type\":\"trade\",\"exchange\":\"upbit\",\"symbol\":\"NEG-KRW\",\"price\":-1,\"size\":1,\"event_time_ns\":\(Self.time),\"receive_time_ns\":\(Self.time),\"trade_id\":\"1\"}",
            "{\"v\":1,\"type\":\"trade\",\"exchange\":\"upbit\",\"symbol\":\"NEG-KRW\",\"price\":5,\"size\":-1,\"event_time_ns\":\(Self.time),\"receive_time_ns\":\(Self.time),\"trade_id\":\"2\"}",
        ]
        // Decodable and written: a zero trade size, times before 1970 and at the end of 2262,
        // trade ids that need line-protocol escaping.
        let lastNanosecond: Int64 = 9_223_372_036_854_775_000  // 2262-04-11T23:47:16.854775Z
        let oddIDs = ["a\"b", "back\\slash", "comma,equals=space here", "tab\tand\u{7F}", "ünïcødé ✓"]
        var written = [
            "{\"v\":1,\"type\":\"trade\",\"exchange\":\"upbit\",\"symbol\":\"ZERO-KRW\",\"price\":5,\"size\":0,\"event_time_ns\":\(Self.time),\"receive_time_ns\":\(Self.time),\"trade_id\":\"7\"}",
            Self.ticker(symbol: "\"OLD-KRW\"", time: "-86400000000000"),
            Self.ticker(symbol: "\"LATE-KRW\"", time: "\(lastNanosecond)"),
            "{\"v\":1,\"type\":\"trade\",\"exchange\":\"upbit\",\"symbol\":\"LATE-KRW\",\"price\":5,\"size\":1,\"event_time_ns\":\(lastNanosecond),\"receive_time_ns\":\(Self.time),\"trade_id\":\"999999\"}",
        ]
        for (index, id) in oddIDs.enumerated() {
            written.append("{\"v\":1,\"type\":\"trade\",\"exchange\":\"upbit\",\"symbol\":\"ODD-KRW\",\"price\":5,\"size\":1,"
                + "\"event_time_ns\":\(Self.time + Int64(index) * 1_000_000),\"receive_time_ns\":\(Self.time),\"trade_id\":\(JSONText.quoted(id))}")
        }
        for json in invalid + written {
            try await harness.produceRaw(Array(json.utf8), key: "BTC")
        }
        try await harness.produce(after)
        let processor = try harness.startProcessor(group: "bad-\(harness.suffix)", database: database)

        let tickers = TestMarket.tickerCount(before + after)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: tickers + 2)
        let letters = try await harness.deadLetterRecords(expected: Self.undecodable.count)
        try await Task.sleep(for: .seconds(1))
        let undecodableCount = await processor.sample("coinflux_deadletter_messages_total{reason=\"undecodable\"}") ?? 0
        let invalidCount = await processor.sample("coinflux_processor_rejected_events_total{reason=\"invalid_price\"}") ?? 0
        print("bad input: \(Self.undecodable.count) undecodable messages -> \(Int(undecodableCount)) dead letters counted, \(letters.count) in the topic; "
            + "\(invalid.count) zero or negative prices and sizes -> invalid_price \(Int(invalidCount))")
        #expect(undecodableCount == Double(Self.undecodable.count))
        #expect(letters.count == Self.undecodable.count, "dead letters in the topic: \(letters.count)")
        for letter in letters {
            #expect((letter["reason"] as? String)?.isEmpty == false, "\(letter)")
        }
        let big = letters.first { ($0["payload_bytes"] as? Int) == 1_000_000 }
        #expect(big?["truncated"] as? Bool == true, "the megabyte message's dead letter: \(String(describing: big?.keys))")
        #expect(invalidCount == Double(invalid.count))
        #expect(try await harness.count("ticker", field: "price", database: database) == tickers + 2, "the tickers after the bad input were written")

        // Times at the edges of InfluxDB's range and escaped strings, read back from InfluxDB.
        let old = try await harness.influx.query("SELECT price FROM ticker WHERE symbol = 'OLD-KRW'", database: database)
        #expect(old.first?.values.first?.first?.integer == -86_400_000_000_000)
        let late = try await harness.influx.query("SELECT price FROM ticker WHERE symbol = 'LATE-KRW'", database: database)
        #expect(late.first?.values.first?.first?.integer == lastNanosecond)
        let edgeTrade = try await harness.influx.query("SELECT price FROM trade WHERE symbol = 'LATE-KRW'", database: database)
        #expect(edgeTrade.first?.values.first?.first?.integer == lastNanosecond, "the trade in the last millisecond of Int64 time: \(edgeTrade)")
        let zero = try await harness.influx.query("SELECT size FROM trade WHERE symbol = 'ZERO-KRW'", database: database)
        #expect(zero.first?.values.first?.last?.double == 0)
        let ids = try await harness.influx.query("SELECT trade_id FROM trade WHERE symbol = 'ODD-KRW'", database: database)
        #expect(Set(ids.first?.values.compactMap { $0.last?.string } ?? []) == Set(oddIDs), "trade ids read back: \(ids)")
        #expect(processor.process.isRunning)
        #expect(processor.terminate() == 0)
        StartupFailureTests.expectNoTrap(processor.log)
    }

    /// A 10 MB message gets into the topic when it compresses under the broker's limit (about
    /// 1 MiB of record batch, Kafka's default and noida-db's): librdkafka's consumer hands it over
    /// whole (`fetch.max.bytes` is a soft limit; `receive.message.max.bytes`, 100 MB, bounds the
    /// compressed answer). coinflux's own producers refuse anything over 1 000 000 bytes locally.
    @Test("a 10 MB message in the topic: dead-lettered (its payload cut to 64 KiB), counted, the stream goes on",
          .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable)))
    func tenMegabyteMessage() async throws {
        let database = "bad_big_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [database])
        let big = Array(repeating: UInt8(ascii: "x"), count: 10_000_000)
        let defaults = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [harness.broker]), logger: Logger(label: "test"))
        #expect(throws: KafkaError.self) { try defaults.send(topic: harness.ticks, key: "BTC", value: big) }
        await defaults.close()

        let before = TestMarket.events(steps: 50)
        let after = TestMarket.events(steps: 50, from: 50)
        try await harness.produce(before)
        try await harness.produceRaw(big, key: "BTC", maximumBytes: 20_000_000)
        try await harness.produce(after)
        let processor = try harness.startProcessor(group: "big-\(harness.suffix)", database: database)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: TestMarket.tickerCount(before + after))
        let letters = try await harness.deadLetterRecords(expected: 1)
        let dead = await processor.sample("coinflux_deadletter_messages_total{reason=\"undecodable\"}")
        print("10 MB message: \(letters.count) dead letter, payload_bytes \(letters.first?["payload_bytes"] ?? "-"), counted \(dead ?? 0)")
        #expect(letters.count == 1)
        #expect(letters.first?["payload_bytes"] as? Int == 10_000_000)
        #expect(letters.first?["truncated"] as? Bool == true)
        #expect((letters.first?["payload"] as? String)?.utf8.count == 65_536, "cut at 64 KiB")
        #expect(dead == 1)
        #expect(processor.terminate() == 0)
        StartupFailureTests.expectNoTrap(processor.log)
    }

    // MARK: Configuration files

    static func configFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-bad-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a configuration file that is a directory, empty or not YAML: status 2 naming the file", arguments: ["directory", "empty", "not YAML"])
    func unreadableConfigurationFile(kind: String) throws {
        let path: String
        switch kind {
        case "directory": path = FileManager.default.temporaryDirectory.path
        case "empty": path = try Self.configFile("")
        default: path = try Self.configFile("kafka: [brokers: {\n  : : :\n\t- - x")
        }
        let outcome = try CommandLineTests().run(["config", "--config", path])
        #expect(outcome.status == 2, "\(kind): status \(outcome.status), \(outcome.standardError)")
        #expect(outcome.standardError.contains(path), "\(kind): \(outcome.standardError)")
        #expect(outcome.standardError.split(separator: "\n").count == 1, "one line: \(outcome.standardError)")
        StartupFailureTests.expectNoTrap(outcome.standardError)
    }

    /// A wrong type for each kind of key.
    static let wrongTypes: [(key: String, yaml: String)] = [
        ("processor.group", "processor:\n  group: [a, b]\n"),
        ("influxdb.batch_lines", "influxdb:\n  batch_lines: many\n"),
        ("influxdb.connections", "influxdb:\n  connections: 2.5\n"),
        ("processor.ema_alpha", "processor:\n  ema_alpha: [0.1]\n"),
        ("collector.binance.enabled", "collector:\n  binance:\n    enabled: maybe\n"),
        ("influxdb.flush_interval", "influxdb:\n  flush_interval: soon\n"),
        ("processor.watchlist", "processor:\n  watchlist:\n    a: 1\n"),
        ("influxdb.url", "influxdb:\n  url: [http://a]\n"),
        ("processor.reference_exchange", "processor:\n  reference_exchange: kraken\n"),
        ("kafka.properties", "kafka:\n  properties: [1, 2]\n"),
        ("kafka", "kafka: 5\n"),
    ]

    @Test("a wrong type for each kind of key: status 2 naming the key", arguments: wrongTypes.map(\.key))
    func wrongType(key: String) throws {
        let yaml = try #require(Self.wrongTypes.first { $0.key == key }?.yaml)
        let outcome = try CommandLineTests().run(["config", "--config", try Self.configFile(yaml)])
        #expect(outcome.status == 2, "\(key): status \(outcome.status), \(outcome.standardError)")
        #expect(outcome.standardError.contains(key), "\(key): \(outcome.standardError)")
        StartupFailureTests.expectNoTrap(outcome.standardError)
    }
}
