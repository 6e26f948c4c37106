import CoinfluxCore
import Collector
import Exchanges
import Foundation

/// Everything `coinflux` can be configured with, typed and validated.
///
/// Built by ``load(file:environment:assignments:)`` from a YAML file, `COINFLUX_…` environment
/// variables and `--set` flags. What each key means, its default and how its value is read are
/// declared once, in ``ConfigurationKeys``; the properties below name their keys.
struct CoinfluxConfiguration: Sendable {
    /// Kafka connection and topics (`kafka.*`).
    struct Kafka: Sendable {
        var brokers: String
        var ticksTopic: String
        var fxTopic: String
        var booksTopic: String
        var deadLetterTopic: String
        var partitions: Int
        var properties: [String: String]
        var caughtUpPause: Duration
        /// Whether `kafka.brokers` was given (file, environment or flag). `coinflux run` uses Kafka
        /// only then, and an in-process queue otherwise.
        var isConfigured: Bool
    }

    /// Where the processor writes points (`influxdb.*`).
    struct InfluxDB: Sendable {
        /// Which HTTP write API to use.
        enum API: String, Sendable, CaseIterable {
            /// `POST /write?db=&rp=` (InfluxDB 1.x, and 2.x's compatibility API).
            case v1
            /// `POST /api/v2/write?org=&bucket=` with `Authorization: Token …`.
            case v2
        }

        /// nil: no InfluxDB (`coinflux run` then writes a file).
        var url: URL?
        var api: API
        var database: String
        var retentionPolicy: String?
        var org: String?
        var bucket: String
        var token: String?
        var username: String?
        var password: String?
        var batchLines: Int
        var flushInterval: Duration
        var connections: Int
        /// `influxdb.tls.ca_file`: the authorities an `https` InfluxDB's certificate must chain to; nil: the system's.
        var caFile: String?
    }

    /// The derived series (`processor.*`).
    struct Processor: Sendable {
        var group: String
        var emaAlpha: Double
        var emaHalfLives: [Duration]
        var referenceExchange: Exchange
        var warmupMessages: Int
        var warmupWindow: Duration
        var watchlist: [Symbol]
        var candleRevisionHorizon: Duration
        var books: Bool
        var orderbookInterval: Duration
        var premiumSize: Double
        /// `processor.fx_rate_max_age`
        var fxRateMaxAge: Duration
        var commitInterval: Duration
        var shutdownTimeout: Duration
    }

    /// `coinflux run` without Kafka or InfluxDB (`run.*`).
    struct Run: Sendable {
        var queueCapacity: Int
        var pointsFile: String
    }

    /// One exchange feed of the collector (`collector.<exchange>.*`).
    struct Feed: Sendable {
        var enabled: Bool
        /// nil: the exchange's own.
        var url: URL?
        var restURL: URL?
        /// A fixed list, or `all` / `top:N` from the exchange's market list.
        var selection: MarketSelection
        /// The quote currencies `all` and `top:N` take.
        var quotes: [String]
        /// Bithumb only; the other exchanges: v1.
        var bithumbAPI: BithumbAPI
        /// Only for exchanges that document a stream limit (Binance); nil for the others, which
        /// use one connection.
        var streamsPerConnection: Int?
        var restRequestsPerSecond: Double
        /// The markets whose order books are kept; empty: none.
        var books: [Symbol]

        /// The fixed symbol list; empty for `all` and `top:N`.
        var symbols: [Symbol] {
            if case .symbols(let symbols) = selection { return symbols }
            return []
        }

        /// Whether the feed runs: enabled, with symbols or with market discovery.
        var isActive: Bool { enabled && (selection.isDiscovered || !symbols.isEmpty) }
    }

    /// `collector.*` timing, shared by every feed.
    struct FeedTiming: Sendable {
        var silenceTimeout: Duration
        var restFallbackAfter: Duration
        var restPollInterval: Duration
        var reconnectInitial: Duration
        var reconnectMaximum: Duration
        var restartLookback: Int
        /// `collector.discovery_interval`: how often `all` and `top:N` re-read the market list.
        var discoveryInterval: Duration
        /// `collector.market_status_interval`: how often market flags are read; zero: never.
        var marketStatusInterval: Duration
        /// `collector.tls.ca_file`: the authorities `wss`/`https` certificates must chain to; nil: the system's.
        var caFile: String?
        /// `collector.books_depth`
        var bookDepth: Int
        /// `collector.books_publish_interval`
        var bookPublishInterval: Duration
        /// `collector.books_stale_after`
        var bookStaleAfter: Duration
    }

    /// The USD/KRW source (`collector.fx_*`), when `collector.fx_url` is set.
    struct FXSource: Sendable {
        var url: URL
        var format: FXQuoteFormat
        var interval: Duration
    }

    /// Log levels, named as swift-log names them.
    enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    var kafka: Kafka
    var influxDB: InfluxDB
    var processor: Processor
    var run: Run
    var feeds: [Exchange: Feed]
    var feedTiming: FeedTiming
    /// `collector.fx_*`: the USD/KRW source, if configured.
    var fxSource: FXSource?
    /// `telemetry.listen`
    var telemetryListen: String
    /// `log.level`
    var logLevel: LogLevel
    /// `log.status_interval`
    var statusInterval: Duration
    /// `startup.grace`
    var startupGrace: Duration
    /// Every key's effective value as YAML, in table order, secrets redacted (`coinflux config`).
    var effective: [(key: String, yaml: String)]
}

extension CoinfluxConfiguration {
    /// Loads and validates the configuration.
    /// - Parameters:
    ///   - file: path of the YAML file, or nil for defaults only.
    ///   - environment: process environment (`COINFLUX_…` overrides).
    ///   - assignments: `key=value` strings from `--set` flags.
    /// - Throws: `ConfigurationError` naming the key, the value's origin and the reason.
    static func load(file: String?, environment: [String: String], assignments: [String]) throws -> CoinfluxConfiguration {
        var fileSettings = RawSettings()
        if let file {
            fileSettings = try RawSettings(yaml: try readFile(file), origin: file)
        }
        var flags = RawSettings()
        for assignment in assignments {
            try flags.apply(assignment: assignment, origin: "--set \(assignment)")
        }
        var reader = ConfigurationReader(file: fileSettings, environment: environment, flags: flags)
        let configuration = try CoinfluxConfiguration(reader: &reader)
        if let unknown = reader.unknownKeys().first {
            throw ConfigurationError(key: unknown.key, origin: unknown.origin, reason: "unknown key")
        }
        return configuration
    }

    /// The text of the configuration file; a directory, an unreadable file or bytes that are not
    /// UTF-8 are configuration errors naming the file.
    private static func readFile(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConfigurationError(key: nil, origin: path, reason: "is a directory, not a configuration file")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: nil, origin: path, reason: "cannot read the file: \(error.localizedDescription)")
        }
    }

    init(reader: inout ConfigurationReader) throws {
        typealias Key = ConfigurationKeys
        kafka = Kafka(
            brokers: try reader.read(Key.kafkaBrokers),
            ticksTopic: try reader.read(Key.kafkaTicksTopic),
            fxTopic: try reader.read(Key.kafkaFXTopic),
            booksTopic: try reader.read(Key.kafkaBooksTopic),
            deadLetterTopic: try reader.read(Key.kafkaDeadLetterTopic),
            partitions: try reader.read(Key.kafkaPartitions),
            properties: try reader.read(Key.kafkaProperties),
            caughtUpPause: try reader.read(Key.kafkaCaughtUpPause),
            isConfigured: reader.isSet(Key.kafkaBrokers))
        influxDB = InfluxDB(
            url: try reader.read(Key.influxURL),
            api: try reader.read(Key.influxAPI),
            database: try reader.read(Key.influxDatabase),
            retentionPolicy: try reader.read(Key.influxRetentionPolicy),
            org: try reader.read(Key.influxOrg),
            bucket: try reader.read(Key.influxBucket),
            token: try reader.read(Key.influxToken),
            username: try reader.read(Key.influxUsername),
            password: try reader.read(Key.influxPassword),
            batchLines: try reader.read(Key.influxBatchLines),
            flushInterval: try reader.read(Key.influxFlushInterval),
            connections: try reader.read(Key.influxConnections),
            caFile: try reader.read(Key.influxCAFile))
        if influxDB.api == .v2, influxDB.url != nil, influxDB.org == nil {
            throw ConfigurationError(key: Key.influxOrg.name, origin: reader.origin(of: Key.influxAPI), reason: "is required when influxdb.api is v2")
        }
        processor = Processor(
            group: try reader.read(Key.processorGroup),
            emaAlpha: try reader.read(Key.emaAlpha),
            emaHalfLives: try reader.read(Key.emaHalfLives),
            referenceExchange: try reader.read(Key.referenceExchange),
            warmupMessages: try reader.read(Key.warmupMessages),
            warmupWindow: try reader.read(Key.warmupWindow),
            watchlist: try reader.read(Key.watchlist),
            candleRevisionHorizon: try reader.read(Key.candleRevisionHorizon),
            books: try reader.read(Key.processorBooks),
            orderbookInterval: try reader.read(Key.orderbookInterval),
            premiumSize: try reader.read(Key.premiumSize),
            fxRateMaxAge: try reader.read(Key.fxRateMaxAge),
            commitInterval: try reader.read(Key.commitInterval),
            shutdownTimeout: try reader.read(Key.shutdownTimeout))
        run = Run(queueCapacity: try reader.read(Key.queueCapacity), pointsFile: try reader.read(Key.pointsFile))
        var feeds: [Exchange: Feed] = [:]
        for exchange in Exchange.allCases {
            let bithumbAPI = exchange == .bithumb ? try reader.read(Key.bithumbAPI) : .v1
            let feed = Feed(
                enabled: try reader.read(Key.feedEnabled.for(exchange)),
                url: try reader.read(Key.feedURL.for(exchange)),
                restURL: try reader.read(Key.feedRESTURL.for(exchange)),
                selection: try reader.read(Key.feedSymbols.for(exchange)),
                quotes: try reader.read(Key.feedQuotes.for(exchange)),
                bithumbAPI: bithumbAPI,
                streamsPerConnection: exchange == .binance ? try reader.read(Key.binanceStreamsPerConnection) : nil,
                restRequestsPerSecond: try reader.read(Key.feedRESTRequestsPerSecond.for(exchange)),
                books: try reader.read(Key.feedBooks.for(exchange)))
            let booksKey = Key.feedBooks.for(exchange)
            if feed.enabled, !feed.books.isEmpty, !(ExchangeRegistry.adapter(for: exchange, bithumbAPI: bithumbAPI) is any OrderBookAdapter) {
                throw ConfigurationError(key: booksKey.name, origin: reader.origin(of: booksKey),
                                         reason: "order books need the v1 API (collector.bithumb.api: v1); the legacy API's books are not supported")
            }
            let symbolsKey = Key.feedSymbols.for(exchange)
            if feed.enabled, feed.selection.isDiscovered, ExchangeRegistry.adapter(for: exchange, bithumbAPI: bithumbAPI).marketListPath == nil {
                throw ConfigurationError(key: symbolsKey.name, origin: reader.origin(of: symbolsKey),
                                         reason: "\(feed.selection) needs the exchange's market list, which \(exchange.rawValue) does not serve; list the symbols")
            }
            feeds[exchange] = feed
        }
        self.feeds = feeds
        feedTiming = FeedTiming(
            silenceTimeout: try reader.read(Key.silenceTimeout),
            restFallbackAfter: try reader.read(Key.restFallbackAfter),
            restPollInterval: try reader.read(Key.restPollInterval),
            reconnectInitial: try reader.read(Key.reconnectInitial),
            reconnectMaximum: try reader.read(Key.reconnectMaximum),
            restartLookback: try reader.read(Key.restartLookback),
            discoveryInterval: try reader.read(Key.discoveryInterval),
            marketStatusInterval: try reader.read(Key.marketStatusInterval),
            caFile: try reader.read(Key.collectorCAFile),
            bookDepth: try reader.read(Key.bookDepth),
            bookPublishInterval: try reader.read(Key.bookPublishInterval),
            bookStaleAfter: try reader.read(Key.bookStaleAfter))
        if feedTiming.reconnectMaximum < feedTiming.reconnectInitial {
            throw ConfigurationError(key: Key.reconnectMaximum.name, origin: reader.origin(of: Key.reconnectMaximum),
                                     reason: "must not be shorter than collector.reconnect_initial")
        }
        fxSource = try Self.fxSource(&reader)
        telemetryListen = try reader.read(Key.telemetryListen)
        logLevel = try reader.read(Key.logLevel)
        statusInterval = try reader.read(Key.statusInterval)
        startupGrace = try reader.read(Key.startupGrace)
        effective = reader.effective
    }
}

extension CoinfluxConfiguration {
    /// `collector.fx_*`: nil without `collector.fx_url`; a path that is not one is an error.
    private static func fxSource(_ reader: inout ConfigurationReader) throws -> FXSource? {
        typealias Key = ConfigurationKeys
        let url = try reader.read(Key.fxURL)
        let ratePath = try reader.read(Key.fxRatePath)
        let timePath = try reader.read(Key.fxTimePath)
        let interval = try reader.read(Key.fxInterval)
        guard let url else { return nil }
        do {
            _ = try FXQuoteFormat.steps(of: ratePath)
        } catch {
            throw ConfigurationError(key: Key.fxRatePath.name, origin: reader.origin(of: Key.fxRatePath), reason: error.description)
        }
        do {
            return FXSource(url: url, format: try FXQuoteFormat(ratePath: ratePath, timePath: timePath), interval: interval)
        } catch {
            throw ConfigurationError(key: Key.fxTimePath.name, origin: reader.origin(of: Key.fxTimePath), reason: error.description)
        }
    }
}

extension CoinfluxConfiguration.Kafka {
    /// `brokers` split into the list librdkafka takes.
    var bootstrapServers: [String] {
        brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
