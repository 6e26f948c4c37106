import CoinfluxCore
import Exchanges
import Foundation

/// Everything `coinflux` can be configured with, typed and validated.
///
/// Built by `CoinfluxConfiguration.load(…)` from a YAML file, `COINFLUX_…` environment variables
/// and `--set` flags; see the configuration reference in `docs/configuration.md`, which lists the
/// same keys.
struct CoinfluxConfiguration: Sendable {
    /// Kafka connection and topics.
    struct Kafka: Sendable {
        /// `kafka.brokers` — bootstrap servers, `host:port[,host:port…]`. Default: `127.0.0.1:9092`.
        var brokers: String
        /// `kafka.ticks_topic` — market events keyed by base asset. Default: `market.ticks`.
        var ticksTopic: String
        /// `kafka.fx_topic` — KRW-per-USDT rates, read in full by every processor. Default: `market.fx`.
        var fxTopic: String
        /// `kafka.deadletter_topic` — poison input with the reason. Default: `market.deadletter`.
        var deadLetterTopic: String
        /// `kafka.partitions` — partitions of the ticks topic when coinflux creates it. Default: 6.
        var partitions: Int
        /// `kafka.properties.*` — any librdkafka property, passed through unchanged.
        var properties: [String: String]
        /// `kafka.caught_up_pause` — how often a consumer at the end of a partition asks the broker
        /// whether it has more, instead of re-fetching; 0 turns that off. Default: 20 ms.
        var caughtUpPause: Duration
        /// Whether `kafka.brokers` was given (file, environment or flag). `coinflux run` uses Kafka
        /// only then, and an in-process queue otherwise.
        var isConfigured: Bool
    }

    /// Where the processor writes points.
    struct InfluxDB: Sendable {
        /// Which HTTP write API to use.
        enum API: String, Sendable, CaseIterable {
            /// `POST /write?db=&rp=` (InfluxDB 1.x, and 2.x's compatibility API).
            case v1
            /// `POST /api/v2/write?org=&bucket=` with `Authorization: Token …`.
            case v2
        }

        /// `influxdb.url` — base URL; empty means "no InfluxDB" (`coinflux run` then writes a file).
        var url: URL?
        /// `influxdb.api` — `v1` or `v2`. Default: `v1`.
        var api: API
        /// `influxdb.database` (v1). Default: `market`.
        var database: String
        /// `influxdb.retention_policy` (v1). Default: the database's default policy.
        var retentionPolicy: String?
        /// `influxdb.org` (v2).
        var org: String?
        /// `influxdb.bucket` (v2). Default: `market`.
        var bucket: String
        /// `influxdb.token` (v2). Never logged.
        var token: String?
        /// `influxdb.username` / `influxdb.password` (v1 basic auth). The password is never logged.
        var username: String?
        var password: String?
        /// `influxdb.batch_lines` — most lines per write request. Default: 5000.
        var batchLines: Int
        /// `influxdb.flush_interval` — longest time a point waits in a batch. Default: `200ms`.
        var flushInterval: Duration
        /// `influxdb.connections` — write requests in flight at once. Default: 2.
        var connections: Int
    }

    /// The derived series.
    struct Processor: Sendable {
        /// `processor.group` — Kafka consumer group id. Default: `coinflux-processor`.
        var group: String
        /// `processor.ema_alpha` — EMA smoothing factor α in (0, 1]. Default: 0.1.
        var emaAlpha: Double
        /// `processor.ema_half_lives` — extra time-decay EMAs, by half-life (durations). Default: none.
        var emaHalfLives: [Duration]
        /// `processor.reference_exchange` — the USDT venue premiums are measured against. Default: `binance`.
        var referenceExchange: Exchange
        /// `processor.warmup_messages` — messages per partition re-read before the committed offset
        /// on assignment to rebuild EMAs and candles. Default: 50 000.
        var warmupMessages: Int
        /// `processor.watchlist` — symbols whose price, deviation and premium are also exported as
        /// metrics (for alert rules). Default: BTC-USDT, BTC-KRW, ETH-USDT, ETH-KRW.
        var watchlist: [Symbol]
        /// `processor.commit_interval` — shortest time between offset commits; `0s` commits after
        /// every write. Default: `1s`.
        var commitInterval: Duration
        /// `processor.shutdown_timeout` — longest time shutdown spends writing the last batch. Default: `10s`.
        var shutdownTimeout: Duration
    }

    /// `coinflux run` without Kafka or InfluxDB.
    struct Run: Sendable {
        /// `run.queue_capacity` — events the in-process queue holds (used without Kafka). Default: 100 000.
        var queueCapacity: Int
        /// `run.points_file` — line-protocol file written without InfluxDB. Default: `coinflux-points.lp`.
        var pointsFile: String
    }

    /// One exchange feed of the collector.
    struct Feed: Sendable {
        /// `collector.<exchange>.enabled`. Default: true.
        var enabled: Bool
        /// `collector.<exchange>.url` — WebSocket URL override (e.g. the simulator). Default: the exchange's own.
        var url: URL?
        /// `collector.<exchange>.rest_url` — REST base URL override for the fallback poller.
        var restURL: URL?
        /// `collector.<exchange>.symbols` — normalized symbols (`BTC-USDT`).
        var symbols: [Symbol]
        /// `collector.bithumb.api` — `v1` (current, Upbit-compatible) or `legacy` (`pubwss`). Other exchanges: v1.
        var bithumbAPI: BithumbAPI
        /// `collector.<exchange>.streams_per_connection` — most streams (two per symbol) one WebSocket
        /// connection carries; more symbols are spread over further connections. Only for exchanges that
        /// document a limit (Binance: 2...1024, default 1024); nil for the others, which use one connection.
        var streamsPerConnection: Int?
        /// `collector.<exchange>.rest_requests_per_second` — the REST fallback's requests per second,
        /// all the exchange's connections together (0 < r ≤ 100). Default: the exchange's budget
        /// (`ExchangeAdapter.restRequestsPerSecond`, a share of its documented limit per IP).
        var restRequestsPerSecond: Double
    }

    /// `collector.*` timing, shared by every feed.
    struct FeedTiming: Sendable {
        /// `collector.silence_timeout` — no frame for this long: the socket is replaced. Default: `30s`.
        var silenceTimeout: Duration
        /// `collector.rest_fallback_after` — socket down this long: poll REST tickers. Default: `10s`.
        var restFallbackAfter: Duration
        /// `collector.rest_poll_interval` — time between REST polls. Default: `2s`.
        var restPollInterval: Duration
        /// `collector.reconnect_initial` / `collector.reconnect_max` — backoff bounds. Defaults: `500ms`, `30s`.
        var reconnectInitial: Duration
        var reconnectMaximum: Duration
    }

    var kafka: Kafka
    var influxDB: InfluxDB
    var processor: Processor
    var run: Run
    var feeds: [Exchange: Feed]
    /// Timing shared by every feed of the collector.
    var feedTiming: FeedTiming
    /// `telemetry.listen` — `host:port` of `/metrics`, `/healthz`, `/readyz`. Default: `0.0.0.0:9464`.
    var telemetryListen: String
    /// `log.level` — trace, debug, info, notice, warning, error, critical. Default: `info`.
    var logLevel: LogLevel
    /// `startup.grace` — how long, at start, a broker or InfluxDB may stay misconfigured (a name
    /// that does not resolve, refused credentials, a missing database, TLS to a plain port) before
    /// the process exits with status 1. Unreachable servers are waited for without limit. Default: `60s`.
    var startupGrace: Duration

    /// Log levels, named as swift-log names them.
    enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// Symbols each exchange's feed subscribes to when none are configured.
    static let defaultSymbols: [Exchange: [String]] = [
        .binance: ["BTC-USDT", "ETH-USDT"],
        .bybit: ["BTC-USDT", "ETH-USDT"],
        .upbit: ["BTC-KRW", "ETH-KRW", "USDT-KRW"],
        .bithumb: ["BTC-KRW", "ETH-KRW", "USDT-KRW"],
        .coinone: ["BTC-KRW", "ETH-KRW", "USDT-KRW"],
    ]
}

extension CoinfluxConfiguration {
    /// Loads and validates the configuration.
    /// - Parameters:
    ///   - file: path of the YAML file, or nil for defaults only.
    ///   - environment: process environment (`COINFLUX_…` overrides).
    ///   - assignments: `key=value` strings from `--set` flags.
    /// - Throws: `ConfigurationError` naming the key, the value's origin and the reason.
    static func load(file: String?, environment: [String: String], assignments: [String]) throws -> CoinfluxConfiguration {
        var fileSettings = Settings()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(key: nil, origin: file, reason: "cannot read the file: \(error.localizedDescription)")
            }
            fileSettings = try Settings(yaml: text, origin: file)
        }
        var flags = Settings()
        for assignment in assignments {
            try flags.apply(assignment: assignment, origin: "--set \(assignment)")
        }
        var reader = SettingsReader(file: fileSettings, environment: environment, flags: flags)
        let configuration = try CoinfluxConfiguration(reader: &reader)
        if let unknown = reader.unknownKeys().first {
            throw ConfigurationError(key: unknown.key, origin: unknown.origin, reason: "unknown key")
        }
        return configuration
    }

    init(reader: inout SettingsReader) throws {
        kafka = Kafka(
            brokers: try reader.string("kafka.brokers", default: "127.0.0.1:9092"),
            ticksTopic: try reader.string("kafka.ticks_topic", default: "market.ticks"),
            fxTopic: try reader.string("kafka.fx_topic", default: "market.fx"),
            deadLetterTopic: try reader.string("kafka.deadletter_topic", default: "market.deadletter"),
            partitions: try reader.int("kafka.partitions", default: 6, in: 1...1024),
            properties: try reader.map("kafka.properties"),
            caughtUpPause: try reader.duration("kafka.caught_up_pause", default: .milliseconds(20)),
            isConfigured: reader.origin(of: "kafka.brokers") != nil
        )
        influxDB = InfluxDB(
            url: try reader.url("influxdb.url", default: nil, schemes: ["http", "https"]),
            api: try reader.choice("influxdb.api", default: .v1),
            database: try reader.string("influxdb.database", default: "market"),
            retentionPolicy: try reader.optionalString("influxdb.retention_policy"),
            org: try reader.optionalString("influxdb.org"),
            bucket: try reader.string("influxdb.bucket", default: "market"),
            token: try reader.optionalString("influxdb.token"),
            username: try reader.optionalString("influxdb.username"),
            password: try reader.optionalString("influxdb.password"),
            batchLines: try reader.int("influxdb.batch_lines", default: 5000, in: 1...100_000),
            flushInterval: try reader.duration("influxdb.flush_interval", default: .milliseconds(200)),
            connections: try reader.int("influxdb.connections", default: 2, in: 1...64)
        )
        if influxDB.api == .v2, influxDB.url != nil, influxDB.org == nil {
            throw ConfigurationError(key: "influxdb.org", origin: reader.origin(of: "influxdb.api"), reason: "is required when influxdb.api is v2")
        }
        processor = Processor(
            group: try reader.string("processor.group", default: "coinflux-processor"),
            emaAlpha: try reader.double("processor.ema_alpha", default: 0.1) { alpha in
                alpha > 0 && alpha <= 1 ? nil : "\(alpha) is outside (0, 1]"
            },
            emaHalfLives: try Self.halfLives(&reader),
            referenceExchange: try reader.choice("processor.reference_exchange", default: .binance),
            warmupMessages: try reader.int("processor.warmup_messages", default: 50_000, in: 0...100_000_000),
            watchlist: try Self.symbols("processor.watchlist", default: ["BTC-USDT", "BTC-KRW", "ETH-USDT", "ETH-KRW"], &reader),
            commitInterval: try reader.duration("processor.commit_interval", default: .seconds(1)),
            shutdownTimeout: try reader.positiveDuration("processor.shutdown_timeout", default: .seconds(10))
        )
        run = Run(
            queueCapacity: try reader.int("run.queue_capacity", default: 100_000, in: 1...10_000_000),
            pointsFile: try reader.string("run.points_file", default: "coinflux-points.lp")
        )
        var feeds: [Exchange: Feed] = [:]
        for exchange in Exchange.allCases {
            let prefix = "collector.\(exchange.rawValue)"
            let symbols = try Self.symbols("\(prefix).symbols", default: Self.defaultSymbols[exchange] ?? [], &reader)
            let bithumbAPI: BithumbAPI = exchange == .bithumb ? try reader.choice("\(prefix).api", default: .v1) : .v1
            let adapter = ExchangeRegistry.adapter(for: exchange, bithumbAPI: bithumbAPI)
            feeds[exchange] = Feed(
                enabled: try reader.bool("\(prefix).enabled", default: true),
                url: try reader.url("\(prefix).url", default: nil, schemes: ["ws", "wss"]),
                restURL: try reader.url("\(prefix).rest_url", default: nil, schemes: ["http", "https"]),
                symbols: symbols,
                bithumbAPI: bithumbAPI,
                streamsPerConnection: try Self.streamsPerConnection(prefix, adapter, &reader),
                restRequestsPerSecond: try reader.double("\(prefix).rest_requests_per_second", default: adapter.restRequestsPerSecond) { rate in
                    rate > 0 && rate <= 100 ? nil : "\(rate) is outside (0, 100]"
                }
            )
        }
        self.feeds = feeds
        feedTiming = FeedTiming(
            silenceTimeout: try reader.positiveDuration("collector.silence_timeout", default: .seconds(30)),
            restFallbackAfter: try reader.duration("collector.rest_fallback_after", default: .seconds(10)),
            restPollInterval: try reader.positiveDuration("collector.rest_poll_interval", default: .seconds(2)),
            reconnectInitial: try reader.positiveDuration("collector.reconnect_initial", default: .milliseconds(500)),
            reconnectMaximum: try reader.positiveDuration("collector.reconnect_max", default: .seconds(30))
        )
        if feedTiming.reconnectMaximum < feedTiming.reconnectInitial {
            throw ConfigurationError(key: "collector.reconnect_max", origin: reader.origin(of: "collector.reconnect_max"),
                                     reason: "must not be shorter than collector.reconnect_initial")
        }
        telemetryListen = try reader.string("telemetry.listen", default: "0.0.0.0:9464")
        guard Self.isHostPort(telemetryListen) else {
            throw ConfigurationError(key: "telemetry.listen", origin: reader.origin(of: "telemetry.listen"),
                                     reason: "\"\(telemetryListen)\" is not host:port with a port in 0...65535")
        }
        logLevel = try reader.choice("log.level", default: .info)
        startupGrace = try reader.duration("startup.grace", default: .seconds(60))
    }

    /// A list of normalized symbols (`BTC-USDT`), each once: a symbol listed twice (in any case)
    /// would be subscribed twice and its events counted twice.
    private static func symbols(_ key: String, default defaults: [String], _ reader: inout SettingsReader) throws -> [Symbol] {
        var seen: Set<Symbol> = []
        return try reader.list(key, default: defaults).map { text in
            guard let symbol = Symbol(normalized: text) else {
                throw ConfigurationError(key: key, origin: reader.origin(of: key),
                                         reason: "\"\(text)\" is not a symbol of the form BASE-QUOTE (e.g. BTC-USDT)")
            }
            guard seen.insert(symbol).inserted else {
                throw ConfigurationError(key: key, origin: reader.origin(of: key), reason: "\(symbol) is listed more than once")
            }
            return symbol
        }
    }

    /// `<prefix>.streams_per_connection` for an exchange that documents a stream limit: at least one
    /// symbol's streams, at most the limit. Exchanges without a limit do not take the key (nil).
    private static func streamsPerConnection(_ prefix: String, _ adapter: any ExchangeAdapter, _ reader: inout SettingsReader) throws -> Int? {
        let limit = adapter.connectionPolicy.maximumStreamsPerConnection
        guard limit != .max else { return nil }
        return try reader.int("\(prefix).streams_per_connection", default: limit, in: ConnectionPolicy.streamsPerSymbol...limit)
    }

    private static func halfLives(_ reader: inout SettingsReader) throws -> [Duration] {
        let key = "processor.ema_half_lives"
        return try reader.list(key, default: []).map { text in
            guard let duration = SettingsReader.parseDuration(text), duration > .zero else {
                throw ConfigurationError(key: key, origin: reader.origin(of: key), reason: "\"\(text)\" is not a positive duration like 30s or 5m")
            }
            return duration
        }
    }

    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]) else { return false }
        return (0...65535).contains(port)
    }
}
