/// Every metric coinflux exports: the public contract that dashboards, alert rules and the
/// metrics table in `docs/metrics.md` are written against. A test renders the table from this list
/// and compares it with `docs/metrics.md`, and another scrapes `/metrics` and compares the names.
public enum MetricCatalogue {
    /// One metric family.
    public struct Definition: Sendable, Hashable {
        /// Prometheus metric type.
        public enum Kind: String, Sendable {
            case counter, gauge, histogram
        }

        /// Full name, `coinflux_` prefix, base units, `_total` for counters.
        public var name: String
        public var kind: Kind
        /// Label names, in the order they are rendered.
        public var labels: [String]
        /// One-sentence meaning; rendered as the `# HELP` line.
        public var help: String
        /// Which processes export it: `collect`, `process` (both are exported by `run`).
        public var exportedBy: Set<Role>

        public init(_ name: String, _ kind: Kind, labels: [String] = [], help: String, exportedBy: Set<Role>) {
            self.name = name
            self.kind = kind
            self.labels = labels
            self.help = help
            self.exportedBy = exportedBy
        }
    }

    /// The two jobs a coinflux process can do.
    public enum Role: String, Sendable, Hashable {
        case collect, process
    }

    // MARK: Every process

    public static let buildInfo = Definition(
        "coinflux_build_info", .gauge, labels: ["version", "host"],
        help: "Always 1; the version label says which coinflux is running, host on which machine (pod name, container id).", exportedBy: [.collect, .process])

    // MARK: Collector

    public static let feedEvents = Definition(
        "coinflux_feed_events_total", .counter, labels: ["exchange", "channel"],
        help: "Market events parsed from an exchange's frames, by channel (ticker, trade).", exportedBy: [.collect])
    public static let feedFrames = Definition(
        "coinflux_feed_frames_total", .counter, labels: ["exchange", "kind"],
        help: "WebSocket frames received, by kind (data, ack, pong, error, ignored).", exportedBy: [.collect])
    public static let feedParseErrors = Definition(
        "coinflux_feed_parse_errors_total", .counter, labels: ["exchange"],
        help: "Frames that could not be parsed and were skipped.", exportedBy: [.collect])
    public static let feedExchangeErrors = Definition(
        "coinflux_feed_exchange_errors_total", .counter, labels: ["exchange"],
        help: "Error frames sent by the exchange (rejected subscriptions and the like).", exportedBy: [.collect])
    public static let feedReconnects = Definition(
        "coinflux_feed_reconnects_total", .counter, labels: ["exchange", "reason"],
        help: "Connections replaced, by reason (closed, silent, lifetime, error, resubscribe: its symbols changed by market discovery).", exportedBy: [.collect])
    public static let feedConnectAttempts = Definition(
        "coinflux_feed_connect_attempts_total", .counter, labels: ["exchange", "outcome"],
        help: "WebSocket connection attempts, by outcome (connected, failed).", exportedBy: [.collect])
    public static let feedConnected = Definition(
        "coinflux_feed_connected", .gauge, labels: ["exchange"],
        help: "1 while every WebSocket connection of the exchange (one per group of symbols) is connected and subscribed, else 0.",
        exportedBy: [.collect])
    public static let feedLastMessage = Definition(
        "coinflux_feed_last_message_timestamp_seconds", .gauge, labels: ["exchange"],
        help: "Unix time of the last frame received from the exchange (WebSocket or REST); with several connections, the oldest of their latest frames.",
        exportedBy: [.collect])
    public static let feedEventLatency = Definition(
        "coinflux_feed_event_latency_seconds", .histogram, labels: ["exchange"],
        help: "Receive time minus the exchange's event time.", exportedBy: [.collect])
    public static let feedRESTPolls = Definition(
        "coinflux_feed_rest_polls_total", .counter, labels: ["exchange", "outcome"],
        help: "REST ticker polls made while the WebSocket was down, by outcome (ok, error, rate_limited: HTTP 429 or 418, after which the exchange's polls wait as long as it asked).",
        exportedBy: [.collect])
    public static let feedSymbols = Definition(
        "coinflux_feed_symbols", .gauge, labels: ["exchange"],
        help: "Symbols the exchange's feed is subscribed to: the configured list, or what market discovery (all, top:N) selected last.",
        exportedBy: [.collect])
    public static let discoveryErrors = Definition(
        "coinflux_discovery_errors_total", .counter, labels: ["exchange"],
        help: "Market-discovery reads (market list, and for top:N the tickers) that failed; the feed keeps its symbols.",
        exportedBy: [.collect])
    public static let marketStatusPolls = Definition(
        "coinflux_market_status_polls_total", .counter, labels: ["exchange", "outcome"],
        help: "Reads of an exchange's market flags (Upbit, Bithumb; collector.market_status_interval), by outcome (ok, failed: a request or parse failed, nothing published).",
        exportedBy: [.collect])
    public static let fxReads = Definition(
        "coinflux_fx_reads_total", .counter, labels: ["outcome"],
        help: "Reads of the USD/KRW source (collector.fx_url, every collector.fx_interval), by outcome (ok; failed: the request failed or the body held no usable rate, nothing published).",
        exportedBy: [.collect])
    public static let fxRate = Definition(
        "coinflux_fx_krw_per_usd", .gauge, labels: [],
        help: "Won per US dollar at the last good read of the FX source (collector.fx_url); 0 until one.",
        exportedBy: [.collect])
    public static let fxQuoteAge = Definition(
        "coinflux_fx_quote_age_seconds", .gauge, labels: [],
        help: "At the last good read of the FX source, how old its quote was (read time minus the source's own time; 0 without collector.fx_time_path). FX markets close on weekends: days are normal then.",
        exportedBy: [.collect])
    public static let gaps = Definition(
        "coinflux_gaps_total", .counter, labels: ["exchange", "channel", "cause", "repaired"],
        help: "Gaps recorded in a series (a stretch it may not have received live), by channel, cause (connection, silence, sequence, producer, restart) and repair (yes, partly, no).",
        exportedBy: [.collect])
    public static let gapSeconds = Definition(
        "coinflux_gap_seconds_total", .counter, labels: ["exchange", "channel"],
        help: "Total length of the gaps recorded, in seconds of market time.", exportedBy: [.collect])
    public static let backfillTrades = Definition(
        "coinflux_backfill_trades_total", .counter, labels: ["exchange", "outcome"],
        help: "Trades of gaps fetched from the exchange's REST history, by outcome (recovered, duplicate: received already); queue_full counts gaps recorded unrepaired because too many waited.",
        exportedBy: [.collect])
    public static let orderbookResyncs = Definition(
        "coinflux_orderbook_resyncs_total", .counter, labels: ["exchange", "reason"],
        help: "Order books that fell out of sync and were resynchronised from a fresh snapshot, by reason (sequence_gap, crossed, stale, snapshot_mismatch).",
        exportedBy: [.collect])
    public static let orderbookUpdates = Definition(
        "coinflux_orderbook_updates_total", .counter, labels: ["exchange", "outcome"],
        help: "Order-book messages received, by outcome (applied, buffered: waiting for the REST snapshot, ignored: older than the book or before its snapshot), and books sent to the books topic (published).",
        exportedBy: [.collect])
    public static let orderbookSnapshots = Definition(
        "coinflux_orderbook_snapshots_total", .counter, labels: ["exchange", "outcome"],
        help: "REST order-book snapshots requested to (re)synchronise a book, by outcome (ok, failed: an HTTP error, a rate limit or a body that does not parse; asked again a second later).",
        exportedBy: [.collect])
    public static let orderbooks = Definition(
        "coinflux_orderbooks", .gauge, labels: ["exchange", "state"],
        help: "Order books the collector keeps, by state (in_sync: published; out_of_sync: waiting for a snapshot, never published meanwhile).",
        exportedBy: [.collect])
    public static let producerMessages = Definition(
        "coinflux_producer_messages_total", .counter, labels: ["topic", "outcome"],
        help: "Messages handed to Kafka, by outcome (queued, dropped: the local queue was full, or the record could not be encoded).", exportedBy: [.collect, .process])
    public static let producerDeliveries = Definition(
        "coinflux_producer_deliveries_total", .counter, labels: ["outcome"],
        help: "Kafka delivery reports, by outcome (delivered, failed).", exportedBy: [.collect, .process])
    public static let producerAckLatency = Definition(
        "coinflux_producer_ack_latency_seconds", .histogram,
        help: "Time from handing an event to the Kafka producer to the broker's acknowledgement (linger, batching, the round trip).",
        exportedBy: [.collect])
    /// Finer than ``Metrics/latencyBuckets`` below 50 ms, where the producer's linger and a healthy broker's answer lie.
    public static let producerAckLatencyBuckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 5, 30]

    // MARK: Processor

    public static let consumerMessages = Definition(
        "coinflux_consumer_messages_total", .counter, labels: ["topic"],
        help: "Kafka messages consumed (warm-up re-reads not included).", exportedBy: [.process])
    public static let consumerBatchMessages = Definition(
        "coinflux_consumer_batch_messages", .histogram,
        help: "Messages per consumed batch.", exportedBy: [.process])
    public static let consumerLag = Definition(
        "coinflux_consumer_lag_messages", .gauge, labels: ["topic", "partition"],
        help: "High watermark minus committed offset, per assigned partition.", exportedBy: [.process])
    public static let consumerLagSeconds = Definition(
        "coinflux_consumer_lag_seconds", .gauge, labels: ["topic", "partition"],
        help: "Age of the oldest message consumed and not yet committed, per assigned partition (0 when everything consumed is committed).",
        exportedBy: [.process])
    public static let consumerCommits = Definition(
        "coinflux_consumer_commits_total", .counter, labels: ["outcome"],
        help: "Offset commits, by outcome (ok, failed).", exportedBy: [.process])
    public static let processorUncommitted = Definition(
        "coinflux_processor_uncommitted_messages", .gauge,
        help: "Messages consumed whose points are not yet all acknowledged and committed (commit lag).", exportedBy: [.process])
    public static let processorPoints = Definition(
        "coinflux_processor_points_total", .counter, labels: ["measurement"],
        help: "Points derived from events, by measurement (ticker, trade, premium, candle_1m, gap, orderbook, premium_executable, market_status); revised candles count again.", exportedBy: [.process])
    public static let processorRejectedEvents = Definition(
        "coinflux_processor_rejected_events_total", .counter, labels: ["reason"],
        help: "Events left out, by reason (invalid_price, out_of_order, late_trade: beyond the candle revision horizon, duplicate_trade: a trade id seen already).", exportedBy: [.process])
    public static let processorCandleRevisions = Definition(
        "coinflux_processor_candle_revisions_total", .counter,
        help: "Candles written again because a trade of their minute arrived late (recovered after a gap), within the revision horizon.",
        exportedBy: [.process])
    public static let processorEventLag = Definition(
        "coinflux_processor_event_lag_seconds", .histogram, labels: ["exchange"],
        help: "End-to-end lag: InfluxDB acknowledgement time minus the exchange's event time.", exportedBy: [.process])
    public static let processorPaused = Definition(
        "coinflux_processor_paused", .gauge,
        help: "1 while fetching is paused because InfluxDB is not accepting writes, else 0.", exportedBy: [.process])
    public static let processorTrackedSymbols = Definition(
        "coinflux_processor_tracked_symbols", .gauge,
        help: "(exchange, symbol) pairs with statistics state.", exportedBy: [.process])
    public static let processorWarmupMessages = Definition(
        "coinflux_processor_warmup_messages_total", .counter,
        help: "Messages re-read before the committed offset to rebuild state after an assignment.", exportedBy: [.process])
    public static let deadLetters = Definition(
        "coinflux_deadletter_messages_total", .counter, labels: ["reason"],
        help: "Messages sent to the dead-letter topic, by reason (undecodable, rejected_by_influxdb).", exportedBy: [.process])
    public static let influxRequests = Definition(
        "coinflux_influxdb_requests_total", .counter, labels: ["result"],
        help: "InfluxDB write requests, by HTTP status or timeout / connection_error.", exportedBy: [.process])
    public static let influxRequestDuration = Definition(
        "coinflux_influxdb_request_duration_seconds", .histogram,
        help: "Duration of InfluxDB write requests.", exportedBy: [.process])
    public static let influxRetries = Definition(
        "coinflux_influxdb_retries_total", .counter, labels: ["state"],
        help: "Write requests scheduled for another attempt, by writer state (unavailable, unauthorized, misconfigured).", exportedBy: [.process])
    public static let influxPointsWritten = Definition(
        "coinflux_influxdb_points_written_total", .counter,
        help: "Points acknowledged by InfluxDB.", exportedBy: [.process])
    public static let influxPointsRejected = Definition(
        "coinflux_influxdb_points_rejected_total", .counter,
        help: "Points InfluxDB refused as invalid (400/422), sent to the dead-letter topic.", exportedBy: [.process])
    public static let influxUp = Definition(
        "coinflux_influxdb_up", .gauge,
        help: "1 while InfluxDB accepts writes, 0 while writes are failing and being retried.", exportedBy: [.process])

    // MARK: Market (watchlist only)

    public static let marketPrice = Definition(
        "coinflux_market_price", .gauge, labels: ["exchange", "symbol"],
        help: "Last price of a watchlist symbol, in its quote currency.", exportedBy: [.process])
    public static let marketDeviation = Definition(
        "coinflux_market_deviation_ratio", .gauge, labels: ["exchange", "symbol"],
        help: "(price - EMA) / EMA of a watchlist symbol, as a fraction.", exportedBy: [.process])
    public static let marketPremium = Definition(
        "coinflux_market_premium_ratio", .gauge, labels: ["exchange", "base"],
        help: "Premium of a KRW venue over the reference venue for a watchlist base asset, as a fraction.", exportedBy: [.process])

    public static let marketTetherPremium = Definition(
        "coinflux_market_tether_premium_ratio", .gauge, labels: ["exchange"],
        help: "Tether premium of a KRW venue: its USDT-KRW price over the FX source's KRW per USD, minus 1 (premium basis tether), as a fraction; absent without collector.fx_url and while the FX rate is older than processor.fx_rate_max_age.",
        exportedBy: [.process])
    public static let marketPremiumExecutable = Definition(
        "coinflux_market_premium_executable_ratio", .gauge, labels: ["exchange", "base", "direction"],
        help: "Executable premium of a KRW venue over the reference venue at processor.premium_size for a watchlist base asset with order books, by direction (buy: buy in Korea, sell: sell in Korea), as a fraction.",
        exportedBy: [.process])

    public static let marketStatusFlagged = Definition(
        "coinflux_market_status_flagged", .gauge, labels: ["exchange", "base"],
        help: "1 while a KRW market of Upbit or Bithumb has an investment warning or an alert in force (collector.market_status_interval), else 0; absent until its first status.",
        exportedBy: [.process])

    /// Every definition, in the order of the table in `docs/metrics.md`.
    public static let all: [Definition] = [
        buildInfo,
        feedEvents, feedFrames, feedParseErrors, feedExchangeErrors, feedReconnects, feedConnectAttempts,
        feedConnected, feedLastMessage, feedEventLatency, feedRESTPolls, feedSymbols, discoveryErrors, marketStatusPolls, fxReads, fxRate, fxQuoteAge, gaps, gapSeconds, backfillTrades,
        orderbookResyncs, orderbookUpdates, orderbookSnapshots, orderbooks, producerMessages, producerDeliveries, producerAckLatency,
        consumerMessages, consumerBatchMessages, consumerLag, consumerLagSeconds, consumerCommits, processorUncommitted,
        processorPoints, processorRejectedEvents, processorCandleRevisions, processorEventLag, processorPaused, processorTrackedSymbols,
        processorWarmupMessages, deadLetters,
        influxRequests, influxRequestDuration, influxRetries, influxPointsWritten, influxPointsRejected, influxUp,
        marketPrice, marketDeviation, marketPremium, marketTetherPremium, marketPremiumExecutable, marketStatusFlagged,
    ]
}
