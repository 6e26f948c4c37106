import CoinfluxCore
import Prometheus
import Synchronization
import Telemetry

/// The WebSocket connections one exchange's symbols are split over, reported as one exchange.
///
/// Each connection's `ExchangeFeed` reports to its ``Slot``; the tally turns those reports into the
/// exchange-wide gauges, so a partly connected exchange never looks healthy:
/// - `coinflux_feed_connected` is 1 only while every connection is connected and subscribed;
/// - `coinflux_feed_last_message_timestamp_seconds` is the last message of the connection that has
///   waited longest, so one silent connection makes the exchange stale.
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
        public var isConnected: Bool { tally.state.withLock { $0.connected[index] } }

        /// The connection is connected and subscribed.
        func markConnected() { tally.update { $0.connected[index] = true } }

        /// The connection is down (or not up yet).
        func markDown() { tally.update { $0.connected[index] = false } }

        /// The connection received a message (WebSocket frame or REST response) at `seconds` since the epoch.
        func recordMessage(at seconds: Double) { tally.update { $0.lastMessage[index] = seconds } }
    }

    private struct State {
        var connected: [Bool]
        /// Unix time of each connection's last message; 0 before its first.
        var lastMessage: [Double]
    }

    /// How many connections the exchange uses (one feed each).
    public let count: Int
    /// Every connection's slot, in order.
    public var slots: [Slot] { (0..<count).map { Slot(tally: self, index: $0) } }

    private let connectedGauge: Gauge
    private let lastMessageGauge: Gauge
    private let state: Mutex<State>

    /// - Parameters:
    ///   - exchange: the exchange, the `exchange` label of the gauges.
    ///   - connections: how many connections its symbols are split over.
    ///   - metrics: the process's metrics registry.
    public init(exchange: Exchange, connections: Int, metrics: Metrics) {
        count = max(0, connections)
        connectedGauge = metrics.gauge(MetricCatalogue.feedConnected, exchange.rawValue)
        lastMessageGauge = metrics.gauge(MetricCatalogue.feedLastMessage, exchange.rawValue)
        state = Mutex(State(connected: Array(repeating: false, count: count), lastMessage: Array(repeating: 0, count: count)))
    }

    /// Why the exchange is not ready, for `/readyz`: which connections are down; nil while all are up.
    public var notReadyReason: String? {
        let down = slots.filter { !$0.isConnected }
        guard !down.isEmpty else { return nil }
        if count == 1 { return "websocket not connected" }
        let names = down.map(\.description).joined(separator: ", ")
        return down.count == 1 ? "websocket connection \(names) not connected" : "websocket connections \(names) not connected"
    }

    /// Changes the state and sets both gauges from it under the same lock, so that concurrent
    /// reports from several connections cannot leave a gauge on a stale value.
    private func update(_ change: (inout State) -> Void) {
        state.withLock { state in
            change(&state)
            connectedGauge.set(Double(state.connected.allSatisfy { $0 } ? 1 : 0))
            lastMessageGauge.set(state.lastMessage.min() ?? Double(0))
        }
    }
}
