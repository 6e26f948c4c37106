import CoinfluxCore
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// State of one WebSocket connection, shared by its read loop, its send loop and the fault
/// board. Every field is bounded.
final class SessionState: Sendable {
    /// The lock-protected values.
    struct Values: Sendable {
        /// Streams that receive data, in subscription order.
        var subscriptions: [Subscription] = []
        /// Changes whenever `subscriptions` does.
        var subscriptionsVersion = 0
        /// Serial of the last stream added.
        var lastSerial = 0
        /// Markets whose next book message is to be skipped (the `bookGap` fault), or crossed.
        var bookGaps: Set<Symbol> = []
        var crossedBooks: Set<Symbol> = []
        /// Streams owed one snapshot frame (Upbit-compatible APIs).
        var pendingSnapshots: [Subscription] = []
        var lastReceived: ContinuousClock.Instant
        var lastApplicationPing: ContinuousClock.Instant
        /// Server pings not yet answered, oldest first.
        var unansweredPings: [(payload: ByteBuffer, sentAt: ContinuousClock.Instant)] = []
        var closeRequest: (code: WebSocketErrorCode, reason: String)?
        var closeSent = false
        var malformedToSend = 0
        var errorsToSend = 0
    }

    /// Fault work the send loop picked up in one pass.
    struct Commands {
        var close: (code: WebSocketErrorCode, reason: String)?
        var malformed = 0
        var errors = 0
        var snapshots: [Subscription] = []
        var subscriptions: [Subscription] = []
        var subscriptionsVersion = 0
        var bookGaps: Set<Symbol> = []
        var crossedBooks: Set<Symbol> = []
    }

    /// Most streams one connection can hold (Binance's documented limit).
    static let maxSubscriptions = 1_024
    /// Most unanswered server pings remembered.
    static let maxUnansweredPings = 16

    /// Identifier reported to the client (Bybit `conn_id`, Coinone `session_id`).
    let connectionID: String
    private let values: NIOLockedValueBox<Values>

    init(connectionID: String, now: ContinuousClock.Instant) {
        self.connectionID = connectionID
        self.values = NIOLockedValueBox(Values(lastReceived: now, lastApplicationPing: now))
    }

    /// What a protocol needs to answer a request.
    var info: SessionInfo {
        SessionInfo(connectionID: connectionID, subscriptions: values.withLockedValue { $0.subscriptions })
    }

    func withValues<Result>(_ body: (inout Values) -> Result) -> Result {
        values.withLockedValue(body)
    }

    // MARK: Client activity

    func recordReceived(at now: ContinuousClock.Instant) {
        values.withLockedValue { $0.lastReceived = now }
    }

    func recordApplicationPing(at now: ContinuousClock.Instant) {
        values.withLockedValue { $0.lastApplicationPing = now }
    }

    func recordPingSent(_ payload: ByteBuffer, at now: ContinuousClock.Instant) {
        values.withLockedValue {
            if $0.unansweredPings.count == Self.maxUnansweredPings {
                $0.unansweredPings.remove(at: 1)  // keep the oldest: it decides the timeout
            }
            $0.unansweredPings.append((payload, now))
        }
    }

    /// A pong answers the ping with the same payload and every older one; other pongs
    /// (unsolicited, or with a different payload) answer nothing.
    func recordPong(_ payload: ByteBuffer) {
        values.withLockedValue { values in
            if let index = values.unansweredPings.lastIndex(where: { $0.payload == payload }) {
                values.unansweredPings.removeFirst(index + 1)
            }
        }
    }

    /// Marks the close frame as sent; false when one was sent already.
    func markCloseSent() -> Bool {
        values.withLockedValue { values in
            defer { values.closeSent = true }
            return !values.closeSent
        }
    }

    // MARK: Subscriptions

    func apply(_ update: SubscriptionUpdate) {
        values.withLockedValue { values in
            values.subscriptionsVersion += 1
            switch update {
            case .add(let added):
                for var subscription in added where !values.subscriptions.contains(where: { Self.sameStream($0, subscription) }) {
                    guard values.subscriptions.count < Self.maxSubscriptions else { break }
                    values.lastSerial += 1
                    subscription.serial = values.lastSerial
                    values.subscriptions.append(subscription)
                }
            case .remove(let removed):
                values.subscriptions.removeAll { current in removed.contains { Self.sameStream($0, current) } }
            case .replace(let replacement):
                values.subscriptions = Array(replacement.filter(\.realtime).prefix(Self.maxSubscriptions))
                values.pendingSnapshots = Array(replacement.filter(\.snapshot).prefix(Self.maxSubscriptions))
            }
        }
    }

    /// Whether a stream of `symbol` is subscribed on this connection.
    func carries(_ symbol: Symbol) -> Bool {
        values.withLockedValue { $0.subscriptions.contains { $0.symbol == symbol } }
    }

    /// Whether a book stream of `symbol` is subscribed on this connection.
    func carriesBook(_ symbol: Symbol) -> Bool {
        values.withLockedValue { $0.subscriptions.contains { $0.channel == .book && $0.symbol == symbol } }
    }

    private static func sameStream(_ lhs: Subscription, _ rhs: Subscription) -> Bool {
        lhs.channel == rhs.channel && lhs.code == rhs.code && lhs.name == rhs.name
    }

    // MARK: Faults

    func requestClose(code: WebSocketErrorCode, reason: String) {
        values.withLockedValue { $0.closeRequest = $0.closeRequest ?? (code, reason) }
    }

    func requestMalformed(count: Int) {
        values.withLockedValue { $0.malformedToSend = min($0.malformedToSend + count, FaultBoard.maxPendingMalformed) }
    }

    /// Skips the next book message of `symbol` (`gap`) or sends it crossed.
    func requestBookFault(_ symbol: Symbol, gap: Bool) {
        values.withLockedValue {
            if gap { $0.bookGaps.insert(symbol) } else { $0.crossedBooks.insert(symbol) }
        }
    }

    func requestError() {
        values.withLockedValue { $0.errorsToSend = min($0.errorsToSend + 1, FaultBoard.maxPendingMalformed) }
    }

    /// Takes the pending work for one pass of the send loop. While `silenced`, frames owed to
    /// the client stay queued; a close request is always taken.
    func takeCommands(silenced: Bool) -> Commands {
        values.withLockedValue { values in
            var commands = Commands(
                close: values.closeRequest, subscriptions: values.subscriptions, subscriptionsVersion: values.subscriptionsVersion
            )
            guard !silenced else { return commands }
            commands.malformed = values.malformedToSend
            commands.errors = values.errorsToSend
            commands.snapshots = values.pendingSnapshots
            commands.bookGaps = values.bookGaps
            commands.crossedBooks = values.crossedBooks
            values.bookGaps = []
            values.crossedBooks = []
            values.malformedToSend = 0
            values.errorsToSend = 0
            values.pendingSnapshots = []
            return commands
        }
    }
}
