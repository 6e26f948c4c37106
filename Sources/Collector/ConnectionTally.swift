import CoinfluxCore
import Foundation
import Synchronization
import Telemetry

/// The WebSocket connections one exchange's symbols are split over, reported as one exchange.
///
/// Each connection's `FeedConnection` reports to its ``Slot``; the tally turns those reports into the
/// exchange-wide gauges, so a partly connected exchange never looks healthy:
/// - `coinflux_feed_connected` is 1 only while every connection is connected and subscribed;
/// - `coinflux_feed_last_message_timestamp_seconds` is the last message of the connection that has
///   waited longest, so one silent connection makes the exchange stale. A connection that has had no
///   message yet counts from the tally's start, so the age reads "since start", not since 1970. Each
///   frame only stores its time in its connection's atomic; the oldest is picked when the metrics
///   are rendered.
///
/// Counters need no tally: every feed of the exchange increments the same counter objects.
public final class ConnectionTally: Sendable {
    /// One connection's place in the tally, handed to its feed.
    public struct Slot: Sendable, CustomStringConvertible {
        /// The tally this connection reports to.
        public let tally: ConnectionTally
        /// Position among the exchange's connections, from 0.
        public let index: Int

        /// `2/3`: the second of three connections (log metadata, `/readyz`).
        public var description: String { "\(index + 1)/\(tally.count)" }

        /// Whether this connection is connected and subscribed right now.
        public var isConnected: Bool { tally.connected.withLock { $0[index] } }

        /// The connection is connected and subscribed.
        func markConnected() { tally.setConnected(true, at: index) }

        /// The connection is down (or not up yet).
        func markDown() { tally.setConnected(false, at: index) }

        /// The connection received a message (WebSocket frame or REST response) at `seconds` since
        /// the epoch. Called for every frame, so it is one atomic store; the gauge is worked out
        /// when the metrics are read.
        func recordMessage(at seconds: Double) { tally.lastMessages[index].store(seconds) }
    }

    /// One connection's latest message time, kept as the bits of a `Double` in an atomic.
    private final class LastMessage: Sendable {
        private let bits: Atomic<UInt64>

        /// - Parameter start: what `seconds` reads before the first message.
        init(start: Double) { bits = Atomic(start.bitPattern) }

        /// Unix time of the latest message; the start time before the first.
        var seconds: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }

        func store(_ seconds: Double) {
            bits.store(seconds.bitPattern, ordering: .relaxed)
        }
    }

    /// How many connections the exchange uses (one feed each).
    public let count: Int
    /// Events its connections handed on, for the status line.
    public let events = RateCounter()
    /// Every connection's slot, in order.
    public var slots: [Slot] { (0..<count).map { Slot(tally: self, index: $0) } }

    private let connectedGauge: Gauge
    private let lastMessageGauge: Gauge
    /// Whether each connection is connected and subscribed. Changes rarely; the gauge is set under
    /// the same lock, so concurrent reports from several connections cannot leave it stale.
    private let connected: Mutex<[Bool]>
    /// Each connection's latest message, stored for every frame without a lock.
    private let lastMessages: [LastMessage]

    /// - Parameters:
    ///   - exchange: the exchange, the `exchange` label of the gauges.
    ///   - connections: how many connections its symbols are split over.
    ///   - metrics: the process's metrics registry; the last-message gauge is updated whenever it renders.
    ///   - startedAt: Unix time the last-message gauge reports for a connection with no message yet
    ///     (default: now), so that "time since last message" starts at 0 instead of the epoch.
    public init(exchange: Exchange, connections: Int, metrics: Metrics,
                startedAt: Double = Double(wallClockNanoseconds()) / 1e9) {
        count = max(0, connections)
        connectedGauge = metrics.gauge(MetricCatalogue.feedConnected, exchange.rawValue)
        lastMessageGauge = metrics.gauge(MetricCatalogue.feedLastMessage, exchange.rawValue)
        connected = Mutex(Array(repeating: false, count: count))
        lastMessages = (0..<count).map { _ in LastMessage(start: startedAt) }
        metrics.updateBeforeRendering { [weak self] in self?.updateLastMessageGauge() }
    }

    /// How many of the connections are connected and subscribed now.
    public var connectedCount: Int { connected.withLock { $0.count(where: { $0 }) } }

    /// The exchange's part of the status line: `connected 2/3, 41.5 events/s`.
    public func status(over interval: Duration) -> String {
        "connected \(connectedCount)/\(count), \(String(format: "%.1f", events.rate(over: interval))) events/s"
    }

    /// Why the exchange is not ready, for `/readyz`: which connections are down; nil while all are up.
    public var notReadyReason: String? {
        let down = slots.filter { !$0.isConnected }
        guard !down.isEmpty else { return nil }
        if count == 1 { return "websocket not connected" }
        let names = down.map(\.description).joined(separator: ", ")
        return down.count == 1 ? "websocket connection \(names) not connected" : "websocket connections \(names) not connected"
    }

    private func setConnected(_ isConnected: Bool, at index: Int) {
        connected.withLock { connected in
            connected[index] = isConnected
            connectedGauge.set(Double(connected.allSatisfy { $0 } ? 1 : 0))
        }
    }

    /// The stalest connection's latest message (the start time while any has had none).
    private func updateLastMessageGauge() {
        lastMessageGauge.set(lastMessages.map(\.seconds).min() ?? 0)
    }
}
