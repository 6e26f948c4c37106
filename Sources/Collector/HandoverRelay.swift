import CoinfluxCore

/// Orders the events of a connection and its successor during a handover (make before break),
/// so that nothing is lost or repeated and every series stays in the exchange's order.
///
/// A new subscription starts at "now": trades the exchange sent the old connection before the
/// successor subscribed reach only the old one, possibly after the successor's first frames. So
/// the old connection keeps delivering for an overlap after the successor receives, and the
/// successor's events wait here meanwhile. When the old connection has ended, the waiting events
/// go on, less those the old connection delivered already: trades by id, events without an id
/// (tickers) when they are not newer than the old connection's last of their series.
///
/// Pure state: the caller serializes calls (a mutex) and hands the returned batches on in order.
struct HandoverRelay {
    /// Events received together, with their receive time.
    struct Batch: Equatable {
        var events: [MarketEvent]
        var receivedAt: Int64
    }

    private struct Series: Hashable {
        var symbol: Symbol
        var kind: MarketEvent.Kind
    }

    /// The session whose events go on at once.
    private var current: Int?
    /// The session opened to replace it, whose events wait.
    private var successor: Int?
    private var waiting: [Batch] = []
    /// The id of the last trade of each symbol the current session delivered: a successor may
    /// begin with it (Upbit and Bithumb send the latest trade as a snapshot on subscription).
    private var lastTradeIDs: [Symbol: String] = [:]
    /// What the current session delivered since the successor opened.
    private var deliveredIDs: [Symbol: Set<String>] = [:]
    private var deliveredUntil: [Series: Int64] = [:]

    /// A session opened without a predecessor (at start, or after a drop): its events go on.
    mutating func start(_ session: Int) {
        current = session
        lastTradeIDs.removeAll()
        abandonSuccessor()
    }

    /// A successor of the current session opened: its events wait until ``promoteSuccessor()``.
    mutating func open(successor session: Int) {
        abandonSuccessor()
        successor = session
        for (symbol, id) in lastTradeIDs { deliveredIDs[symbol] = [id] }
    }

    /// The successor failed before taking over: what it received is dropped (the current
    /// session delivered the same).
    mutating func abandonSuccessor() {
        successor = nil
        waiting.removeAll()
        deliveredIDs.removeAll()
        deliveredUntil.removeAll()
    }

    /// The events `session` received: the batches to hand on now, in order (none while they
    /// wait, or when the session is no longer current or successor).
    mutating func route(_ events: [MarketEvent], receivedAt: Int64, from session: Int) -> [Batch] {
        if session == successor {
            waiting.append(Batch(events: events, receivedAt: receivedAt))
            return []
        }
        guard session == current else { return [] }
        for event in events where event.kind == .trade {
            if let id = event.tradeID { lastTradeIDs[event.symbol] = id }
        }
        if successor != nil {
            for event in events {
                if event.kind == .trade, let id = event.tradeID {
                    deliveredIDs[event.symbol, default: []].insert(id)
                }
                let series = Series(symbol: event.symbol, kind: event.kind)
                deliveredUntil[series] = max(deliveredUntil[series] ?? .min, event.eventTimeNanos)
            }
        }
        return [Batch(events: events, receivedAt: receivedAt)]
    }

    /// The old session ended: the successor becomes current, and its waiting events that the old
    /// one did not deliver are returned, in the order received.
    mutating func promoteSuccessor() -> [Batch] {
        guard let successor else { return [] }
        current = successor
        var released: [Batch] = []
        for var batch in waiting {
            batch.events.removeAll(where: deliveredAlready)
            if !batch.events.isEmpty { released.append(batch) }
            for event in batch.events where event.kind == .trade {
                if let id = event.tradeID { lastTradeIDs[event.symbol] = id }
            }
        }
        abandonSuccessor()
        return released
    }

    private func deliveredAlready(_ event: MarketEvent) -> Bool {
        if event.kind == .trade, let id = event.tradeID {
            return deliveredIDs[event.symbol]?.contains(id) ?? false
        }
        guard let until = deliveredUntil[Series(symbol: event.symbol, kind: event.kind)] else { return false }
        return event.eventTimeNanos <= until
    }
}
