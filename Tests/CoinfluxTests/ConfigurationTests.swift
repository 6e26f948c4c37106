import CoinfluxCore
import Foundation
import Testing

@testable import coinflux

@Suite("Configuration")
struct ConfigurationTests {
    /// Writes `yaml` to a temporary file and loads it with the given environment and flags.
    func load(_ yaml: String?, environment: [String: String] = [:], set assignments: [String] = []) throws -> CoinfluxConfiguration {
        var path: String?
        if let yaml {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-\(UUID().uuidString).yaml")
            try yaml.write(to: url, atomically: true, encoding: .utf8)
            path = url.path
        }
        defer { if let path { try? FileManager.default.removeItem(atPath: path) } }
        return try CoinfluxConfiguration.load(file: path, environment: environment, assignments: assignments)
    }

    /// The error `load` throws, or nil if it did not throw a `ConfigurationError`.
    func error(_ yaml: String?, environment: [String: String] = [:], set assignments: [String] = []) -> ConfigurationError? {
        do {
            _ = try load(yaml, environment: environment, set: assignments)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func defaultsWithoutAFile() throws {
        let configuration = try load(nil)
        #expect(configuration.kafka.brokers == "127.0.0.1:9092")
        #expect(configuration.kafka.ticksTopic == "market.ticks")
        #expect(configuration.kafka.partitions == 6)
        #expect(configuration.processor.emaAlpha == 0.1)
        #expect(configuration.processor.referenceExchange == .binance)
        #expect(configuration.influxDB.url == nil)
        #expect(configuration.influxDB.flushInterval == .milliseconds(200))
        #expect(configuration.feeds[.upbit]?.symbols.map(\.description) == ["BTC-KRW", "ETH-KRW", "USDT-KRW"])
        #expect(configuration.telemetryListen == "0.0.0.0:9464")
    }

    @Test("processor and run settings: defaults, overrides, and whether Kafka was configured at all")
    func processorAndRunSettings() throws {
        let defaults = try load(nil)
        #expect(defaults.kafka.isConfigured == false)
        #expect(defaults.processor.warmupMessages == 50_000)
        #expect(defaults.processor.watchlist.map(\.description) == ["BTC-USDT", "BTC-KRW", "ETH-USDT", "ETH-KRW"])
        #expect(defaults.processor.shutdownTimeout == .seconds(10))
        #expect(defaults.influxDB.connections == 2)
        #expect(defaults.run.queueCapacity == 100_000)
        #expect(defaults.run.pointsFile == "coinflux-points.lp")
        #expect(defaults.kafka.caughtUpPause == .milliseconds(20))
        #expect(defaults.processor.commitInterval == .seconds(1))

        let set = try load(nil, environment: ["COINFLUX_KAFKA_BROKERS": "k:9092", "COINFLUX_PROCESSOR_WATCHLIST": "SOL-USDT,SOL-KRW"],
                           set: ["processor.warmup_messages=0", "run.points_file=/tmp/x.lp", "influxdb.connections=4",
                                 "kafka.caught_up_pause=0s", "processor.commit_interval=0s"])
        #expect(set.kafka.isConfigured)
        #expect(set.processor.watchlist.map(\.description) == ["SOL-USDT", "SOL-KRW"])
        #expect(set.processor.warmupMessages == 0)
        #expect(set.run.pointsFile == "/tmp/x.lp")
        #expect(set.kafka.caughtUpPause == .zero)
        #expect(set.processor.commitInterval == .zero)
        #expect(set.influxDB.connections == 4)

        #expect(error(nil, set: ["processor.watchlist=BTCUSDT"])?.key == "processor.watchlist")
        #expect(error(nil, set: ["influxdb.connections=0"])?.key == "influxdb.connections")
        #expect(error(nil, set: ["processor.shutdown_timeout=0s"])?.key == "processor.shutdown_timeout")
        #expect(error(nil, set: ["run.queue_capacity=-1"])?.key == "run.queue_capacity")
        #expect(error(nil, set: ["kafka.caught_up_pause=soon"])?.key == "kafka.caught_up_pause")
        #expect(error(nil, set: ["processor.commit_interval=often"])?.key == "processor.commit_interval")
    }

    @Test func fileValuesAreRead() throws {
        let configuration = try load("""
            kafka:
              brokers: broker-1:9092,broker-2:9092
              partitions: 12
              properties:
                linger.ms: "10"
                queue.buffering.max.messages: 50000
            influxdb:
              url: http://influx:8086
              api: v2
              org: acme
              token: s3cret
              flush_interval: 1s
            processor:
              ema_alpha: 0.25
              ema_half_lives: [30s, 5m]
              reference_exchange: bybit
            collector:
              binance:
                url: ws://127.0.0.1:9000/ws
                symbols: [BTC-USDT, sol-usdt]
              coinone:
                enabled: false
            """)
        #expect(configuration.kafka.brokers == "broker-1:9092,broker-2:9092")
        #expect(configuration.kafka.partitions == 12)
        #expect(configuration.kafka.properties == ["linger.ms": "10", "queue.buffering.max.messages": "50000"])
        #expect(configuration.influxDB.url?.absoluteString == "http://influx:8086")
        #expect(configuration.influxDB.api == .v2)
        #expect(configuration.influxDB.token == "s3cret")
        #expect(configuration.influxDB.flushInterval == .seconds(1))
        #expect(configuration.processor.emaAlpha == 0.25)
        #expect(configuration.processor.emaHalfLives == [.seconds(30), .seconds(300)])
        #expect(configuration.processor.referenceExchange == .bybit)
        #expect(configuration.feeds[.binance]?.url?.absoluteString == "ws://127.0.0.1:9000/ws")
        #expect(configuration.feeds[.binance]?.symbols == [Symbol(base: "BTC", quote: "USDT"), Symbol(base: "SOL", quote: "USDT")])
        #expect(configuration.feeds[.coinone]?.enabled == false)
    }

    @Test func environmentOverridesFileAndFlagsOverrideBoth() throws {
        let yaml = "kafka:\n  brokers: from-file:9092\nprocessor:\n  ema_alpha: 0.2\n"
        let fromEnvironment = try load(yaml, environment: ["COINFLUX_KAFKA_BROKERS": "from-env:9092"])
        #expect(fromEnvironment.kafka.brokers == "from-env:9092")
        #expect(fromEnvironment.processor.emaAlpha == 0.2)

        let fromFlag = try load(yaml, environment: ["COINFLUX_KAFKA_BROKERS": "from-env:9092"],
                                set: ["kafka.brokers=from-flag:9092", "kafka.properties.linger.ms=5"])
        #expect(fromFlag.kafka.brokers == "from-flag:9092")
        #expect(fromFlag.kafka.properties == ["linger.ms": "5"])

        let listFromEnvironment = try load(nil, environment: ["COINFLUX_COLLECTOR_BYBIT_SYMBOLS": "BTC-USDT, XRP-USDT"])
        #expect(listFromEnvironment.feeds[.bybit]?.symbols.map(\.description) == ["BTC-USDT", "XRP-USDT"])
    }

    @Test func unknownKeyIsNamed() {
        let failure = error("kafka:\n  brokerz: x:9092\n")
        #expect(failure?.key == "kafka.brokerz")
        #expect(failure?.reason == "unknown key")
        #expect(error(nil, set: ["processor.emma_alpha=0.3"])?.key == "processor.emma_alpha")
    }

    @Test(arguments: ["0", "-0.1", "1.5", "nan", "abc"])
    func alphaOutsideTheUnitIntervalIsRejected(alpha: String) {
        let failure = error("processor:\n  ema_alpha: \(alpha)\n")
        #expect(failure?.key == "processor.ema_alpha")
        #expect(failure?.description.contains("processor.ema_alpha") == true)
    }

    @Test func alphaOfOneIsAccepted() throws {
        #expect(try load("processor:\n  ema_alpha: 1\n").processor.emaAlpha == 1)
    }

    @Test(arguments: [
        ("influxdb:\n  url: not a url\n", "influxdb.url"),
        ("influxdb:\n  url: ftp://influx:8086\n", "influxdb.url"),
        ("collector:\n  upbit:\n    url: https://api.upbit.com/websocket/v1\n", "collector.upbit.url"),
        ("collector:\n  upbit:\n    symbols: [KRW_BTC]\n", "collector.upbit.symbols"),
        ("kafka:\n  partitions: zero\n", "kafka.partitions"),
        ("kafka:\n  partitions: 0\n", "kafka.partitions"),
        ("influxdb:\n  flush_interval: soon\n", "influxdb.flush_interval"),
        ("influxdb:\n  api: v3\n", "influxdb.api"),
        ("influxdb:\n  url: http://influx:8086\n  api: v2\n", "influxdb.org"),
        ("telemetry:\n  listen: 9464\n", "telemetry.listen"),
        ("log:\n  level: loud\n", "log.level"),
        ("kafka:\n  brokers: [a, b]\n", "kafka.brokers"),
    ])
    func invalidValuesNameTheirKey(yaml: String, key: String) {
        #expect(error(yaml)?.key == key)
    }

    @Test("streams per connection: Binance's limit by default, lower on request, only where a limit exists")
    func streamsPerConnection() throws {
        let defaults = try load(nil)
        #expect(defaults.feeds[.binance]?.streamsPerConnection == 1_024)
        for exchange in [Exchange.upbit, .bybit, .bithumb, .coinone] {
            #expect(defaults.feeds[exchange]?.streamsPerConnection == nil, "\(exchange)")
        }
        #expect(try load("collector:\n  binance:\n    streams_per_connection: 4\n").feeds[.binance]?.streamsPerConnection == 4)
        #expect(try load(nil, set: ["collector.binance.streams_per_connection=2"]).feeds[.binance]?.streamsPerConnection == 2)

        for value in ["1", "0", "1025", "-4", "many"] {
            let failure = error(nil, environment: ["COINFLUX_COLLECTOR_BINANCE_STREAMS_PER_CONNECTION": value])
            #expect(failure?.key == "collector.binance.streams_per_connection", "\(value)")
            #expect(failure?.origin == "environment COINFLUX_COLLECTOR_BINANCE_STREAMS_PER_CONNECTION")
        }
        #expect(error(nil, set: ["collector.binance.streams_per_connection=1025"])?.reason == "1025 is outside 2...1024")
        let unlimited = error(nil, set: ["collector.upbit.streams_per_connection=4"])
        #expect(unlimited?.key == "collector.upbit.streams_per_connection")
        #expect(unlimited?.reason == "unknown key")
        #expect(try load(nil, set: ["collector.binance.streams_per_connection=4"]).effectiveSummary().contains("streams_per_connection: 4"))
    }

    @Test("REST budget: the exchange's own by default, lower on request, within (0, 100]")
    func restRequestsPerSecond() throws {
        let defaults = try load(nil)
        #expect(defaults.feeds[.binance]?.restRequestsPerSecond == 10)
        #expect(defaults.feeds[.bybit]?.restRequestsPerSecond == 20)
        #expect(defaults.feeds[.upbit]?.restRequestsPerSecond == 5)
        let lowered = try load("collector:\n  binance:\n    rest_requests_per_second: 2.5\n")
        #expect(lowered.feeds[.binance]?.restRequestsPerSecond == 2.5)
        #expect(lowered.effectiveSummary().contains("rest_requests_per_second: 2.5"))
        for value in ["0", "-1", "101", "fast"] {
            #expect(error(nil, set: ["collector.coinone.rest_requests_per_second=\(value)"])?.key == "collector.coinone.rest_requests_per_second", "\(value)")
        }
    }

    @Test func symbolListedTwiceIsAnError() {
        let failure = error("collector:\n  binance:\n    symbols: [BTC-USDT, ETH-USDT, btc-usdt]\n")
        #expect(failure?.key == "collector.binance.symbols")
        #expect(failure?.reason == "BTC-USDT is listed more than once")
        #expect(error(nil, set: ["processor.watchlist=ETH-KRW,ETH-KRW"])?.key == "processor.watchlist")
    }

    @Test func invalidValueFromTheEnvironmentNamesTheVariable() {
        let failure = error(nil, environment: ["COINFLUX_PROCESSOR_EMA_ALPHA": "2"])
        #expect(failure?.key == "processor.ema_alpha")
        #expect(failure?.origin == "environment COINFLUX_PROCESSOR_EMA_ALPHA")
    }

    @Test func missingFileAndBrokenYAMLAreErrors() {
        let missing = "/nonexistent/coinflux.yaml"
        #expect(throws: ConfigurationError.self) {
            try CoinfluxConfiguration.load(file: missing, environment: [:], assignments: [])
        }
        #expect(error("kafka: [unclosed\n")?.reason.hasPrefix("not valid YAML") == true)
        #expect(error("- just\n- a list\n")?.reason.contains("mapping") == true)
        #expect(error(nil, set: ["no-equals-sign"])?.reason.contains("KEY=VALUE") == true)
    }

    @Test func summaryRedactsSecretsAndLoadsBack() throws {
        let configuration = try load("influxdb:\n  url: http://influx:8086\n  token: s3cret\n  password: hunter2\n")
        let summary = configuration.effectiveSummary()
        #expect(!summary.contains("s3cret"))
        #expect(!summary.contains("hunter2"))
        #expect(summary.contains("token: <redacted>"))
        // With the redacted lines removed, the summary is itself a valid configuration with the same values.
        let reloadable = summary.split(separator: "\n").filter { !$0.contains("<redacted>") }.joined(separator: "\n")
        let reloaded = try load(reloadable)
        let withoutSecrets = try load("influxdb:\n  url: http://influx:8086\n")
        #expect(reloaded.effectiveSummary() == withoutSecrets.effectiveSummary())
    }

    @Test("librdkafka properties from the environment: underscores stand for dots, one variable per property, over the file's")
    func kafkaPropertiesFromTheEnvironment() throws {
        let configuration = try load("kafka:\n  properties:\n    linger.ms: \"10\"\n    client.id: from-file\n",
                                     environment: ["COINFLUX_KAFKA_PROPERTIES_GROUP_INSTANCE_ID": "processor-0",
                                                   "COINFLUX_KAFKA_PROPERTIES_LINGER_MS": "20"])
        #expect(configuration.kafka.properties == ["group.instance.id": "processor-0", "linger.ms": "20", "client.id": "from-file"])
        let secret = try load(nil, environment: ["COINFLUX_KAFKA_PROPERTIES_SASL_PASSWORD": "hunter2"])
        #expect(!secret.effectiveSummary().contains("hunter2"))
    }

    @Test("a configuration file that is a directory is an error naming it")
    func directoryAsFile() {
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: ConfigurationError(key: nil, origin: directory, reason: "is a directory, not a configuration file")) {
            try CoinfluxConfiguration.load(file: directory, environment: [:], assignments: [])
        }
    }
}
