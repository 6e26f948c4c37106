/// Every metric coinflux exports: the public contract that dashboards, alert rules and the
/// README's metrics table are written against. A test renders the table from this list and
/// compares it with the README, and another scrapes `/metrics` and compares the names.
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
        "coinflux_build_info", .gauge, labels: ["version"],
        help: "Always 1; the version label says which coinflux is running.", exportedBy: [.collect, .process])

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
        help: "Connections replaced, by reason (closed, silent, lifetime, error).", exportedBy: [.collect])
    public static let feedConnectAttempts = Definition(
        "coinflux_feed_connect_attempts_total", .counter, labels: ["exchange", "outcome"],
        help: "WebSocket connection attempts, by outcome (connected, failed).", exportedBy: [.collect])
    public static let feedConnected = Definition(
        "coinflux_feed_connected", .gauge, labels: ["exchange"],
        help: "1 while the exchange's WebSocket is connected and subscribed, else 0.", exportedBy: [.collect])
    public static let feedLastMessage = Definition(
        "coinflux_feed_last_message_timestamp_seconds", .gauge, labels: ["exchange"],
        help: "Unix time of the last frame received from the exchange (WebSocket or REST).", exportedBy: [.collect])
    public static let feedEventLatency = Definition(
        "coinflux_feed_event_latency_seconds", .histogram, labels: ["exchange"],
        help: "Receive time minus the exchange's event time.", exportedBy: [.collect])
    public static let feedRESTPolls = Definition(
        "coinflux_feed_rest_polls_total", .counter, labels: ["exchange", "outcome"],
        help: "REST ticker polls made while the WebSocket was down, by outcome (ok, error).", exportedBy: [.collect])
    public static let producerMessages = Definition(
        "coinflux_producer_messages_total", .counter, labels: ["topic", "outcome"],
        help: "Messages handed to Kafka, by outcome (queued, dropped: the local queue was full).", exportedBy: [.collect])
    public static let producerDeliveries = Definition(
        "coinflux_producer_deliveries_total", .counter, labels: ["outcome"],
        help: "Kafka delivery reports, by outcome (delivered, failed).", exportedBy: [.collect])

    /// Every definition, in the order of the README's table.
    public static let all: [Definition] = [
        buildInfo,
        feedEvents, feedFrames, feedParseErrors, feedExchangeErrors, feedReconnects, feedConnectAttempts,
        feedConnected, feedLastMessage, feedEventLatency, feedRESTPolls, producerMessages, producerDeliveries,
    ]
}
