import CoinfluxCore

/// Orders the events of a connection and its successor during a handover (make before break),
/// so that nothing is lost or repeated and every series stays in the exchange's order.
///
/// A new subscription starts at "now": trades the exchange sent the old connection before the
/// successor subscribed reach only the old one, possibly after the successor's first frames. So
/// the old connection keeps delivering for an overlap after the successor receives, and the
/// successor's events wait here meanwhile. When the old connection has ended, the waiting events
/// go on, less those the old connection delivered already: trades by id, events without an id
/// (tickers) when they are not newer than the old connection's last of their series. Frames the
/// successor receives after that are checked the same way, series by series, until the first one
/// the old connection did not deliver: each series' overlap is a prefix of the successor's stream.

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
    /// What one session delivered of one series.
    private struct Delivered {
        var tradeIDs: Set<String> = []
        /// The newest event time (events without a trade id).
        var until: Int64 = .min

        mutating func record(_ event: MarketEvent) {
            if event.kind == .trade, let id = event.tradeID {
                tradeIDs.insert(id)
            } else {
                until = max(until, event.eventTimeNanos)
            }
        }

        func contains(_ event: MarketEvent) -> Bool {
            if event.kind == .trade, let id = event.tradeID { return tradeIDs.contains(id) }
            return event.eventTimeNanos <= until
        }
    }

    /// The id of the last trade of each symbol the current session delivered: a successor may
    /// begin with it (Upbit and Bithumb send the latest trade as a snapshot on subscription).
    private var lastTradeIDs: [Symbol: String] = [:]
    /// What the current session delivered since the successor opened.
    private var delivered: [Series: Delivered] = [:]
    /// After a promotion: what the old session delivered of the series whose overlap the (now
    /// current) successor has not yet read past.
    private var overlap: [Series: Delivered] = [:]

    /// A session opened without a predecessor (at start, or after a drop): its events go on.
    mutating func start(_ session: Int) {
        current = session
        lastTradeIDs.removeAll()
        overlap.removeAll()
        abandonSuccessor()
    }

    /// A successor of the current session opened: its events wait until ``promoteSuccessor()``.
    mutating func open(successor session: Int) {
        abandonSuccessor()
        successor = session
        for (symbol, id) in lastTradeIDs { delivered[Series(symbol: symbol, kind: .trade)] = Delivered(tradeIDs: [id]) }
    }

    /// The successor failed before taking over: what it received is dropped (the current
    /// session delivered the same).
    mutating func abandonSuccessor() {
        successor = nil
        waiting.removeAll()
        delivered.removeAll()
    }

    /// The events `session` received: the batches to hand on now, in order (none while they
    /// wait, or when the session is no longer current or successor).
    mutating func route(_ events: [MarketEvent], receivedAt: Int64, from session: Int) -> [Batch] {
        if session == successor {
            waiting.append(Batch(events: events, receivedAt: receivedAt))
            return []
        }
        guard session == current else { return [] }
        var events = events
        if !overlap.isEmpty { removeOverlap(from: &events) }
        for event in events where event.kind == .trade {
            if let id = event.tradeID { lastTradeIDs[event.symbol] = id }
        }
        if successor != nil {
            for event in events {
                delivered[Series(symbol: event.symbol, kind: event.kind), default: Delivered()].record(event)
            }
        }
        return events.isEmpty ? [] : [Batch(events: events, receivedAt: receivedAt)]
    }

    /// The old session ended: the successor becomes current, and its waiting events that the old
    /// one did not deliver are returned, in the order received.
    mutating func promoteSuccessor() -> [Batch] {
        guard let successor else { return [] }
        current = successor
        overlap = delivered
        var released: [Batch] = []
        for var batch in waiting {
            removeOverlap(from: &batch.events)
            if !batch.events.isEmpty { released.append(batch) }
            for event in batch.events where event.kind == .trade {
                if let id = event.tradeID { lastTradeIDs[event.symbol] = id }
            }
        }
        abandonSuccessor()
        return released
    }

    /// Drops the events the old session delivered already; a series' first event it did not
    /// deliver ends that series' overlap.
    private mutating func removeOverlap(from events: inout [MarketEvent]) {
        events.removeAll { event in
            let series = Series(symbol: event.symbol, kind: event.kind)
            guard let old = overlap[series] else { return false }
            if old.contains(event) { return true }
            overlap[series] = nil
            return false
        }
    }
}
