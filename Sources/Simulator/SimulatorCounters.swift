import CoinfluxCore
import NIOConcurrencyHelpers

/// What one exchange's simulated endpoints have done since the simulator started.
public struct SimulatorCounters: Sendable, Equatable {
    /// WebSocket upgrades accepted.
    public var connectionsAccepted = 0
    /// WebSocket upgrades rejected by the `refuse` fault.
    public var connectionsRefused = 0
    /// WebSocket connections open now.
    public var connectionsOpen = 0
    /// Connections the server closed because the client broke the keepalive rule.
    public var keepaliveDrops = 0
    /// Subscribe requests received (one per request, whatever the number of streams).
    public var subscriptionsReceived = 0
    /// Pings received: WebSocket pings plus the exchange's application pings.
    public var pingsReceived = 0
    /// Text and binary frames sent: data, acks, replies and injected faults.
    public var framesSent = 0
    /// Trade frames sent (snapshots excluded), over all connections.
    public var tradesSent = 0
    /// Ticker frames sent (snapshots excluded), over all connections.
    public var tickersSent = 0
    /// Book frames sent (Upbit-style snapshots included), over all connections.
    public var booksSent = 0
    /// Book messages not sent because of the `bookGap` fault.
    public var bookMessagesSkipped = 0
    /// Book messages sent crossed by the `crossedBook` fault.
    public var crossedBooksSent = 0
    /// Trades a connection never received because it fell more than
    /// ``SimulatorConfiguration/maxBacklog`` trades behind (the backlog is dropped, not queued).
    public var tradesDropped = 0
    /// Trades a connection never received because they happened while it was silenced.
    public var tradesWithheld = 0

    /// All zero.
    public init() {}
}

/// Lock-protected counters for every exchange; updated once per batch, not per frame.
final class CounterBoard: Sendable {
    private let values = NIOLockedValueBox<[Exchange: SimulatorCounters]>([:])

    func update(_ exchange: Exchange, _ body: (inout SimulatorCounters) -> Void) {
        values.withLockedValue { body(&$0[exchange, default: SimulatorCounters()]) }
    }

    func snapshot(_ exchange: Exchange) -> SimulatorCounters {
        values.withLockedValue { $0[exchange] ?? SimulatorCounters() }
    }
}
