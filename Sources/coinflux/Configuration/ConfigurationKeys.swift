import CoinfluxCore
import Exchanges
import Foundation

/// Every configuration key, declared once: name, default, meaning, kind of value. The order is
/// the order of `docs/configuration.md`'s table, which ``rows`` renders and a test compares.
enum ConfigurationKeys {
    // MARK: kafka

    static let kafkaBrokers = ConfigurationKey(
        "kafka.brokers", default: "127.0.0.1:9092", .text,
        "bootstrap servers, comma-separated; `coinflux run` uses Kafka only when this is set")
    static let kafkaTicksTopic = ConfigurationKey("kafka.ticks_topic", default: "market.ticks", .text, "market events, keyed by base asset")
    static let kafkaFXTopic = ConfigurationKey(
        "kafka.fx_topic", default: "market.fx", .text, "KRW-per-USDT rates (the `USDT-KRW` tickers) and the FX source's USD/KRW rates, read in full by every processor")
    static let kafkaBooksTopic = ConfigurationKey(
        "kafka.books_topic", default: "market.books", .text, "synchronised order books, keyed by base asset (when `collector.<exchange>.books` lists markets)")
    static let kafkaDeadLetterTopic = ConfigurationKey("kafka.deadletter_topic", default: "market.deadletter", .text, "poison input with the reason")
    static let kafkaPartitions = ConfigurationKey(
        "kafka.partitions", default: 6, .integer(in: 1...1024), "partitions of the ticks topic when coinflux creates it (1–1024)")
    static let kafkaProperties = ConfigurationKey(
        "kafka.properties", default: [:], documented: "—", .properties, secret: false,
        "any librdkafka property, passed through: `kafka.properties.<name>` (`--set kafka.properties.linger.ms=10`; in the environment `COINFLUX_KAFKA_PROPERTIES_LINGER_MS`, underscores standing for dots); values of names with `password` or `secret` are never printed")
    static let kafkaCaughtUpPause = ConfigurationKey(
        "kafka.caught_up_pause", default: .milliseconds(20), .duration,
        "a consumer at the end of a partition stops fetching it and asks the broker every this long whether it has more (one ListOffsets request for all such partitions); a new message waits at most this long. Brokers that answer empty fetches at once instead of holding them (noida-db) would otherwise be asked ~20 000 times a second. `0s` leaves it to the broker's long poll")

    // MARK: influxdb

    static let influxURL = ConfigurationKey(
        "influxdb.url", default: nil, .url(schemes: ["http", "https"]), "InfluxDB base URL (`http`/`https`); empty: no InfluxDB")
    static let influxAPI = ConfigurationKey(
        "influxdb.api", default: CoinfluxConfiguration.InfluxDB.API.v1, .choice,
        "`v1` (`/write?db=&rp=`) or `v2` (`/api/v2/write?org=&bucket=`)")
    static let influxDatabase = ConfigurationKey("influxdb.database", default: "market", .text, "v1 database")
    static let influxRetentionPolicy = ConfigurationKey(
        "influxdb.retention_policy", default: nil, .optionalText, "v1 retention policy (empty: the database default)")
    static let influxOrg = ConfigurationKey("influxdb.org", default: nil, .optionalText, "v2 organisation (required with `api: v2`)")
    static let influxBucket = ConfigurationKey("influxdb.bucket", default: "market", .text, "v2 bucket")
    static let influxToken = ConfigurationKey("influxdb.token", default: nil, .optionalText, secret: true, "v2 token; never logged or printed")
    static let influxUsername = ConfigurationKey("influxdb.username", default: nil, .optionalText, "v1 basic-auth user")
    static let influxPassword = ConfigurationKey(
        "influxdb.password", default: nil, .optionalText, secret: true, "v1 basic-auth password; never logged or printed")
    static let influxBatchLines = ConfigurationKey(
        "influxdb.batch_lines", default: 5_000, .integer(in: 1...100_000), "most lines per write request (1–100000)")
    static let influxFlushInterval = ConfigurationKey(
        "influxdb.flush_interval", default: .milliseconds(200), .duration, "longest time a point waits in a batch")
    static let influxConnections = ConfigurationKey(
        "influxdb.connections", default: 2, .integer(in: 1...64), "write requests in flight at once (1–64)")
    static let influxCAFile = ConfigurationKey(
        "influxdb.tls.ca_file", default: nil, .optionalReadableFile,
        "PEM file of the certificate authorities an `https` InfluxDB's certificate must chain to, instead of the system's; empty: the system's. Certificates and host names are always verified")

    // MARK: processor

    static let processorGroup = ConfigurationKey("processor.group", default: "coinflux-processor", .text, "Kafka consumer group")
    static let emaAlpha = ConfigurationKey(
        "processor.ema_alpha", default: 0.1, .number(above: 0, upTo: 1), "EMA smoothing factor α, in (0, 1]")
    static let emaHalfLives = ConfigurationKey(
        "processor.ema_half_lives", default: [], .positiveDurations, "extra time-decay EMAs, by half-life (`[30s, 5m]`)")
    static let referenceExchange = ConfigurationKey(
        "processor.reference_exchange", default: Exchange.binance, .choice, "USDT venue the KRW premium is measured against")
    static let warmupMessages = ConfigurationKey(
        "processor.warmup_messages", default: 50_000, .integer(in: 0...100_000_000),
        "messages per partition re-read before the committed offset on assignment, to rebuild state")
    static let warmupWindow = ConfigurationKey(
        "processor.warmup_window", default: .seconds(120), .duration,
        "message time per partition re-read at least before the committed offset on assignment, so a candle minute still open at a crash is rebuilt whatever the rate; reading starts further back when `processor.warmup_messages` does not reach it; `0s`: messages only ([warm-up](schema-and-delivery.md#warm-up))")
    static let watchlist = ConfigurationKey(
        "processor.watchlist", default: ["BTC-USDT", "BTC-KRW", "ETH-USDT", "ETH-KRW"].compactMap { Symbol(normalized: $0) },
        documented: "BTC-USDT, BTC-KRW, ETH-USDT, ETH-KRW", .symbols,
        "symbols whose price, deviation and premium are also metrics (for the market alerts); bounds label cardinality")
    static let candleRevisionHorizon = ConfigurationKey(
        "processor.candle_revision_horizon", default: .seconds(3_600), .duration,
        "a trade that arrives late (recovered after a gap) rewrites its minute's `candle_1m` point if the minute is at most this old (beyond it the trade is counted as `late_trade`); trade ids are remembered as long, to drop duplicates")
    static let processorBooks = ConfigurationKey(
        "processor.books", default: false, .boolean,
        "also read `kafka.books_topic` (as group `<processor.group>-books`) and write `orderbook` and `premium_executable` points; turn on with `collector.<exchange>.books`")
    static let orderbookInterval = ConfigurationKey(
        "processor.orderbook_interval", default: .seconds(1), .positiveDuration,
        "one `orderbook` point (and `premium_executable` for KRW venues) per market and interval of event time")
    static let premiumSize = ConfigurationKey(
        "processor.premium_size", default: 10_000_000.0, .number(above: 0, upTo: 1e12),
        "order size in KRW that `premium_executable` walks the KRW and the reference books with")
    static let fxRateMaxAge = ConfigurationKey(
        "processor.fx_rate_max_age", default: .seconds(600), .positiveDuration,
        "`fx`-basis and tether premiums use the FX source's rate only while its last good read (`collector.fx_url`) is at most this old relative to the tick; keep it above `collector.fx_interval`")
    static let commitInterval = ConfigurationKey(
        "processor.commit_interval", default: .seconds(1), .duration,
        "shortest time between offset commits: acknowledged offsets wait for the next one (a crash re-reads at most this much more); `0s` commits after every write")
    static let shutdownTimeout = ConfigurationKey(
        "processor.shutdown_timeout", default: .seconds(10), .positiveDuration,
        "longest time shutdown spends writing and committing the last batch; the process exits within this plus 15 s")

    // MARK: run

    static let queueCapacity = ConfigurationKey(
        "run.queue_capacity", default: 100_000, .integer(in: 1...10_000_000),
        "events the in-process queue of `coinflux run` holds without Kafka (overflow is counted as dropped)")
    static let pointsFile = ConfigurationKey(
        "run.points_file", default: "coinflux-points.lp", .text, "line-protocol file `coinflux run` appends to without InfluxDB")

    // MARK: collector

    static let feedEnabled = ConfigurationKey("collector.<exchange>.enabled", default: true, .boolean, "run this exchange's feed")
    static let feedSymbols = ConfigurationKey(
        "collector.<exchange>.symbols", defaultFor: { exchange in .symbols(defaultSymbols(exchange)) }, documented: "see below", .marketSelection,
        "normalized symbols `BASE-QUOTE`, each once (a symbol listed twice is an error); or `all`: every trading market of `collector.<exchange>.quotes`; or `top:N` (1–4096): the N of them with the highest 24 h quote volume. `all` and `top:N` are read from the exchange's market list at start and every `collector.discovery_interval` ([market discovery](#market-discovery))")
    static let feedQuotes = ConfigurationKey(
        "collector.<exchange>.quotes", defaultFor: { exchange in defaultQuotes(exchange) }, documented: "USDT (Binance, Bybit), KRW (the others)",
        .currencies, "quote currencies whose markets `all` and `top:N` take (Coinone lists KRW markets only)")
    static let feedURL = ConfigurationKey(
        "collector.<exchange>.url", defaultFor: { _ in nil }, documented: "the exchange's", .url(schemes: ["ws", "wss"]),
        "WebSocket URL override (`ws`/`wss`), e.g. the simulator")
    static let feedRESTURL = ConfigurationKey(
        "collector.<exchange>.rest_url", defaultFor: { _ in nil }, documented: "the exchange's", .url(schemes: ["http", "https"]),
        "REST base URL override for the fallback poller")
    static let feedRESTRequestsPerSecond = ConfigurationKey(
        "collector.<exchange>.rest_requests_per_second", defaultFor: { exchange in restBudget(exchange) }, documented: "the exchange's budget",
        .number(above: 0, upTo: 100),
        "REST fallback requests per second, all the exchange's connections together (0–100; Binance 10, Bybit 20, the others 5: [REST budget](exchanges.md#rest-budget)); lower it when several collectors share one IP")
    static let feedBooks = ConfigurationKey(
        "collector.<exchange>.books", default: [Symbol](), documented: "empty", .symbols,
        "markets whose order books the collector keeps in sync and publishes to `kafka.books_topic` (`BTC-KRW`), on a connection of their own ([order books](exchanges.md#order-books)); empty: none. Bithumb needs `collector.bithumb.api: v1`")
    static let bookDepth = ConfigurationKey(
        "collector.books_depth", default: 20, .integer(in: 1...200),
        "levels per side of each published book (1–200; the exchange sends the smallest depth it offers at or above it)")
    static let bookPublishInterval = ConfigurationKey(
        "collector.books_publish_interval", default: .milliseconds(250), .positiveDuration,
        "shortest time between two published books of one market; the latest state goes out")
    static let bookStaleAfter = ConfigurationKey(
        "collector.books_stale_after", default: .seconds(60), .positiveDuration,
        "a book with no message for this long is resynchronised from a fresh snapshot")
    static let bithumbAPI = ConfigurationKey(
        "collector.bithumb.api", default: BithumbAPI.v1, .choice, "`v1` (current, Upbit-compatible) or `legacy` (`pubwss`)")
    static let binanceStreamsPerConnection = ConfigurationKey(
        "collector.binance.streams_per_connection",
        default: ExchangeRegistry.adapter(for: .binance, bithumbAPI: .v1).connectionPolicy.maximumStreamsPerConnection,
        .integer(in: ConnectionPolicy.streamsPerSymbol...ExchangeRegistry.adapter(for: .binance, bithumbAPI: .v1).connectionPolicy.maximumStreamsPerConnection),
        "most streams one Binance WebSocket connection carries (2–1024; two per symbol, so 512 symbols by default); more symbols open more connections ([Exchanges](exchanges.md#several-connections-per-exchange)). Only Binance documents such a limit: the other exchanges use one connection and do not take the key")
    static let discoveryInterval = ConfigurationKey(
        "collector.discovery_interval", default: .seconds(300), .positiveDuration,
        "how often feeds with `symbols: all` or `top:N` re-read the exchange's market list; listings are subscribed and delistings unsubscribed at the next read")
    static let marketStatusInterval = ConfigurationKey(
        "collector.market_status_interval", default: .seconds(60), .duration,
        "how often the Upbit and Bithumb (`api: v1`) feeds read their markets' warning and alert flags and publish the status of every tracked market ([market status](exchanges.md#market-status-flags)), within the exchange's REST budget; 0 turns it off")
    static let fxURL = ConfigurationKey(
        "collector.fx_url", default: nil, .url(schemes: ["http", "https"]),
        "HTTP JSON source of the USD/KRW rate for the `fx`-basis and tether premiums ([FX basis](schema-and-delivery.md#premium-bases)), e.g. `https://open.er-api.com/v6/latest/USD`; empty: no FX rate, `usdt` basis only")
    static let fxRatePath = ConfigurationKey(
        "collector.fx_rate_path", default: "rates.KRW", .text,
        "where the rate (won per dollar) is in the source's JSON: member names and array indices joined by `.` (`0.basePrice` for a list of objects)")
    static let fxTimePath = ConfigurationKey(
        "collector.fx_time_path", default: "time_last_update_unix", .optionalText,
        "where the source's own quote time is (seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by size); empty: the read time")
    static let fxInterval = ConfigurationKey(
        "collector.fx_interval", default: .seconds(60), .positiveDuration, "how often the FX source is read")
    static let silenceTimeout = ConfigurationKey(
        "collector.silence_timeout", default: .seconds(30), .positiveDuration, "a socket with no frame for this long is replaced")
    static let restFallbackAfter = ConfigurationKey(
        "collector.rest_fallback_after", default: .seconds(10), .duration, "poll REST tickers once the socket has been down this long")
    static let restPollInterval = ConfigurationKey(
        "collector.rest_poll_interval", default: .seconds(2), .positiveDuration,
        "pause between two REST polls (each asks for every symbol, within the exchange's REST budget: [REST budget](exchanges.md#rest-budget))")
    static let restartLookback = ConfigurationKey(
        "collector.restart_lookback", default: 20_000, .integer(in: 0...10_000_000),
        "messages per partition of the ticks topic `coinflux collect` reads back at start to find where each series left off; the stretch since is a `restart` gap, repaired from the exchanges' REST history. 0 turns it off")
    static let reconnectInitial = ConfigurationKey(
        "collector.reconnect_initial", default: .milliseconds(500), .positiveDuration, "first reconnect backoff ceiling (full jitter, doubling)")
    static let reconnectMaximum = ConfigurationKey(
        "collector.reconnect_max", default: .seconds(30), .positiveDuration, "backoff cap (not below `collector.reconnect_initial`)")
    static let collectorCAFile = ConfigurationKey(
        "collector.tls.ca_file", default: nil, .optionalReadableFile,
        "PEM file of the certificate authorities the exchanges' `wss` and REST `https` certificates must chain to, instead of the system's; empty: the system's. Certificates and host names are always verified")

    // MARK: process-wide

    static let telemetryListen = ConfigurationKey(
        "telemetry.listen", default: "0.0.0.0:9464", .hostPort, "`host:port` of `/metrics`, `/healthz`, `/readyz`")
    static let logLevel = ConfigurationKey(
        "log.level", default: CoinfluxConfiguration.LogLevel.info, .choice, "trace, debug, info, notice, warning, error, critical")
    static let statusInterval = ConfigurationKey(
        "log.status_interval", default: .seconds(60), .duration,
        "time between two `status:` lines at info level (per exchange: connections up and events/s; the producer's deliveries; the processor's points/s, worst lag, paused or running); `0s` turns them off")
    static let startupGrace = ConfigurationKey(
        "startup.grace", default: .seconds(60), .duration,
        "at start, how long a broker or InfluxDB may stay misconfigured (a host name that does not resolve, refused credentials, a missing database or bucket, TLS spoken to a plain port) before the process exits with status 1; servers that refuse connections or time out are waited for without limit")

    // MARK: Per-exchange defaults

    /// Symbols each exchange's feed subscribes to when none are configured.
    static func defaultSymbols(_ exchange: Exchange?) -> [Symbol] {
        let texts: [String] = switch exchange {
        case .binance, .bybit: ["BTC-USDT", "ETH-USDT"]
        case .upbit, .bithumb, .coinone: ["BTC-KRW", "ETH-KRW", "USDT-KRW"]
        case nil: []
        }
        return texts.compactMap { Symbol(normalized: $0) }
    }

    /// The quote currencies `all` and `top:N` take on each exchange by default: its main one.
    static func defaultQuotes(_ exchange: Exchange?) -> [String] {
        switch exchange {
        case .binance, .bybit: ["USDT"]
        case .upbit, .bithumb, .coinone: ["KRW"]
        case nil: []
        }
    }

    /// The exchange's REST budget (a share of its documented limit per IP).
    static func restBudget(_ exchange: Exchange?) -> Double {
        exchange.map { ExchangeRegistry.adapter(for: $0, bithumbAPI: .v1).restRequestsPerSecond } ?? 5
    }

    // MARK: The documentation table

    /// One row of `docs/configuration.md`'s key table.
    struct Row: Sendable, Equatable {
        var name: String
        var documentedDefault: String
        var meaning: String
    }

    /// Every key, in the table's order.
    static let rows: [Row] = [
        kafkaBrokers.documentation, kafkaTicksTopic.documentation, kafkaFXTopic.documentation, kafkaBooksTopic.documentation, kafkaDeadLetterTopic.documentation,
        kafkaPartitions.documentation, kafkaProperties.documentation, kafkaCaughtUpPause.documentation,
        influxURL.documentation, influxAPI.documentation, influxDatabase.documentation, influxRetentionPolicy.documentation,
        influxOrg.documentation, influxBucket.documentation, influxToken.documentation, influxUsername.documentation,
        influxPassword.documentation, influxBatchLines.documentation, influxFlushInterval.documentation, influxConnections.documentation, influxCAFile.documentation,
        processorGroup.documentation, emaAlpha.documentation, emaHalfLives.documentation, referenceExchange.documentation,
        warmupMessages.documentation, warmupWindow.documentation, watchlist.documentation, candleRevisionHorizon.documentation,
        processorBooks.documentation, orderbookInterval.documentation, premiumSize.documentation, fxRateMaxAge.documentation, commitInterval.documentation, shutdownTimeout.documentation,
        queueCapacity.documentation, pointsFile.documentation,
        feedEnabled.documentation, feedSymbols.documentation, feedQuotes.documentation, feedURL.documentation, feedRESTURL.documentation,
        feedRESTRequestsPerSecond.documentation, feedBooks.documentation, bookDepth.documentation, bookPublishInterval.documentation,
        bookStaleAfter.documentation, bithumbAPI.documentation, binanceStreamsPerConnection.documentation,
        discoveryInterval.documentation, marketStatusInterval.documentation, fxURL.documentation, fxRatePath.documentation,
        fxTimePath.documentation, fxInterval.documentation, silenceTimeout.documentation, restFallbackAfter.documentation, restPollInterval.documentation, restartLookback.documentation,
        reconnectInitial.documentation, reconnectMaximum.documentation, collectorCAFile.documentation,
        telemetryListen.documentation, logLevel.documentation, statusInterval.documentation, startupGrace.documentation,
    ]

    /// The Markdown table of ``rows``, as it stands between the docs' `config-table` markers.
    static var markdownTable: String {
        var lines = ["| key | default | meaning |", "|---|---|---|"]
        for row in rows {
            let value = ["empty", "—", "see below", "the exchange's", "the exchange's budget", feedQuotes.documentedDefault].contains(row.documentedDefault)
                ? row.documentedDefault : "`\(row.documentedDefault)`"
            lines.append("| `\(row.name)` | \(value) | \(row.meaning) |")
        }
        return lines.joined(separator: "\n")
    }
}
