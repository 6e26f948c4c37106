import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// One WebSocket connection of an exchange's live feed: keeps it subscribed to its symbols, parses
/// every frame into events for the sink, and falls back to polling the REST ticker of its symbols
/// while the socket is down. An ``ExchangeFeed`` runs one per group of symbols that fits a
/// connection's stream limit; they report to the exchange's `ConnectionTally`.
///
/// - Connection: TLS with certificate verification for `wss://`, plain for `ws://` (loopback).
/// - Keepalive: the exchange's own protocol (server pings answered, client pings or text
///   `PING`s sent on time), from the adapter's `ConnectionPolicy`.
/// - Dead sockets: no frame for `silenceTimeout` → replaced. Before the exchange's lifetime
///   limit a connection is replaced make-before-break (``ConnectionHandover``): the successor
///   opens first, the old one closes once the successor receives, repeated trades are dropped.
/// - Reconnect: capped exponential backoff with full jitter, reset after a healthy period;
///   subscriptions are sent again on every connection.
/// - Changed symbols (market discovery, ``resubscribe(to:)``): replaced make-before-break by a
///   connection subscribed to the new set; without symbols it opens no socket and waits for some.
public final class FeedConnection: Service {
    public let adapter: any ExchangeAdapter
    public let webSocketURL: URL
    public let restURL: URL
    /// The symbols the connection is to carry now; each session subscribes to those of its start.
    public var symbols: [Symbol] { wanted.withLock { $0.symbols } }
    /// The symbols to carry, and whether they were ever assigned (a connection created without
    /// symbols for discovery to fill is not ready until discovery has spoken).
    private let wanted: Mutex<(symbols: [Symbol], assigned: Bool)>
    /// Set when the symbols changed: the session is to be replaced by one carrying them.
    let symbolsChanged = Atomic<Bool>(false)
    let settings: FeedSettings
    let sink: any MarketEventSink
    let metrics: FeedMetrics
    /// This feed's connection among the exchange's.
    let connection: ConnectionTally.Slot
    /// Spaces the REST fallback's requests, shared with the exchange's other connections.
    let restPacer: RequestPacer
    /// The continuity of the exchange's series, shared with its other connections.
    let tracker: SeriesTracker
    /// Where the gaps this connection finds go to be repaired.
    let gapRepair: GapRepair
    /// Failed connection attempts since the connection was last up (for the log).
    let failedAttempts = Atomic<Int>(0)
    let logger: Logger
    let httpClient: HTTPClient
    let problems: RateLimitedLog
    /// Monotonic time of the last frame received; 0 before the first.
    let lastFrameAt = Atomic<Int64>(0)
    /// Monotonic time the current connection was subscribed; 0 while down.
    let connectedSince = Atomic<Int64>(0)
    /// Monotonic time the socket went down (or the feed started); 0 while connected.
    let downSince = Atomic<Int64>(0)
    /// The current connection and, while it is being replaced, its successor.
    let connectionTasks = ConnectionTasks()
    /// The connection lifetime in force: the settings' override or the exchange's own.
    let maximumConnectionAge: Duration?
    /// For an exchange with a connection lifetime (replaced make-before-break): orders the events
    /// of a connection and its successor while they overlap.
    let relay: Mutex<HandoverRelay>?
    /// Numbers the sessions (connections) of this feed, for the relay.
    let sessions = Atomic<Int>(0)

    /// - Parameters:
    ///   - adapter: the exchange's protocol.
    ///   - webSocketURL: override of the adapter's WebSocket URL (e.g. the simulator), or nil.
    ///   - restURL: override of the adapter's REST base URL, or nil.
    ///   - symbols: normalized symbols to subscribe to, within one connection's stream limit;
    ///     none: the connection waits for ``resubscribe(to:)``.
    ///   - symbolsMayChange: whether ``resubscribe(to:)`` will be called (market discovery): the
    ///     connection then orders the events of a replaced session and its successor.
    ///   - sink: receives the parsed events.
    ///   - metrics: the process's metrics registry.
    ///   - shared: what the connection shares with the exchange's others: its slot in the
    ///     exchange-wide gauges, the REST budget, the series tracker and the gap repair.
    public init(
        adapter: any ExchangeAdapter,
        webSocketURL: URL? = nil,
        restURL: URL? = nil,
        symbols: [Symbol],
        symbolsMayChange: Bool = false,
        settings: FeedSettings = .init(),
        sink: any MarketEventSink,
        metrics: Metrics,
        shared: ExchangeFeed.Shared,
        httpClient: HTTPClient = .shared,
        logger: Logger
    ) {
        self.adapter = adapter
        self.webSocketURL = webSocketURL ?? adapter.defaultWebSocketURL
        self.restURL = restURL ?? adapter.defaultRESTURL
        self.wanted = Mutex((symbols, !symbols.isEmpty))
        self.settings = settings
        self.sink = sink
        self.metrics = FeedMetrics(metrics: metrics, exchange: adapter.exchange)
        self.connection = shared.slot
        self.restPacer = shared.restPacer
        self.tracker = shared.tracker
        self.gapRepair = shared.gapRepair
        let maximumConnectionAge = settings.maximumConnectionAge ?? adapter.connectionPolicy.maximumConnectionAge
        self.maximumConnectionAge = maximumConnectionAge
        self.relay = maximumConnectionAge == nil && !symbolsMayChange ? nil : Mutex(HandoverRelay())
        self.httpClient = httpClient
        var logger = logger
        logger[metadataKey: "exchange"] = "\(adapter.exchange.rawValue)"
        logger[metadataKey: "connection"] = "\(shared.slot)"
        self.logger = logger
        self.problems = RateLimitedLog(logger: logger)
    }

    public func run() async throws {
        downSince.store(monotonicNanoseconds(), ordering: .relaxed)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.pollRESTWhileDown() }
                await self.maintainConnection()
                group.cancelAll()
            }
        }
        markDown()
    }

    /// Carries `symbols` from now on: within a tick of the silence watch the connection is
    /// replaced by one subscribed to them, opened before it closes; with none it closes and idles.
    /// The same symbols again change nothing.
    public func resubscribe(to symbols: [Symbol]) {
        let changed = wanted.withLock { wanted in
            defer { wanted = (symbols, true) }
            return wanted.symbols != symbols || !wanted.assigned
        }
        if changed { symbolsChanged.store(true, ordering: .relaxed) }
    }

    // MARK: Connection loop

    private func maintainConnection() async {
        var backoff = ExponentialBackoff(settings.backoff)
        await withTaskCancellationHandler {
            var next: ConnectionTasks.Connection?
            while !Task.isCancelled {
                if next == nil, symbols.isEmpty {
                    await idle()
                    continue
                }
                let running = next ?? connectionTasks.startCurrent { Task { await self.connectOnce(handover: nil) } }
                next = nil
                let disconnect = await running.value
                if let successor = connectionTasks.promoteSuccessor() {
                    // Replaced before the exchange's lifetime limit: the successor is already
                    // connected (or, if it failed, ends at once and this loop reconnects).
                    relay?.withLock { relay in
                        for batch in relay.promoteSuccessor() { hand(batch.events, receivedAt: batch.receivedAt) }
                    }
                    metrics.countReconnect(disconnect.reason)
                    logger.info("connection replaced by one opened before it closed", metadata: ["detail": "\(disconnect.detail)"])
                    next = successor
                    continue
                }
                let upFor = connectedSince.load(ordering: .relaxed)
                markDown()
                if disconnect.reason == .resubscribe, symbols.isEmpty {
                    // Its last symbols were taken away: nothing is missing, nothing to reconnect.
                    metrics.countReconnect(disconnect.reason)
                    logger.info("connection closed: no symbols left to carry")
                    continue
                }
                if upFor != 0 {
                    // Data may be missing from the last event before the drop to the first after.
                    tracker.interrupted(symbols, cause: disconnect.reason == .silent ? .silence : .connection)
                }
                if Task.isCancelled { break }
                if upFor != 0, monotonicNanoseconds() - upFor >= settings.healthyAfter.saturatingNanoseconds {
                    backoff.reset()
                }
                metrics.countReconnect(disconnect.reason)
                let delay = backoff.nextDelay()
                let metadata: Logger.Metadata = [
                    "reason": "\(disconnect.reason.rawValue)", "detail": "\(disconnect.detail)",
                    "attempt": "\(backoff.attempt)", "delay_ms": "\(delay.saturatingNanoseconds / 1_000_000)",
                ]
                // Once per state change: the first failure after being up (or at start) is a
                // warning, the attempts that follow are debug lines; the reconnect says how many.
                if upFor != 0 || failedAttempts.add(1, ordering: .relaxed).oldValue == 0 {
                    logger.warning(upFor != 0 ? "websocket down, reconnecting" : "websocket cannot connect, retrying with backoff", metadata: metadata)
                } else {
                    logger.debug("websocket still down, retrying", metadata: metadata)
                }
                try? await Task.sleep(for: delay)
            }
            // A successor still being set up when the feed stops.
            if let successor = connectionTasks.promoteSuccessor() { _ = await successor.value }
        } onCancel: {
            connectionTasks.cancelAll()
        }
    }

    /// Without symbols no socket is opened: waits until some are assigned. Reported up once
    /// assigned none (nothing is missing), down before any assignment.
    private func idle() async {
        markDown()
        downSince.store(0, ordering: .relaxed)
        while !Task.isCancelled {
            let (symbols, assigned) = wanted.withLock { $0 }
            if !symbols.isEmpty { break }
            if assigned { connection.markConnected() }
            try? await Task.sleep(for: Self.idleCheck)
        }
        connection.markDown()
        downSince.store(monotonicNanoseconds(), ordering: .relaxed)
    }

    /// How often a connection without symbols looks whether it got some.
    static let idleCheck = Duration.milliseconds(200)

    private func markDown() {
        if connectedSince.exchange(0, ordering: .relaxed) != 0 || downSince.load(ordering: .relaxed) == 0 {
            downSince.store(monotonicNanoseconds(), ordering: .relaxed)
        }
        connection.markDown()
    }
}
