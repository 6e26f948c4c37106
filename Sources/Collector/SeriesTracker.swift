import CoinfluxCore
import Synchronization

/// What one exchange's feed knows about the continuity of its series (symbol × channel): the last
/// event handed on, interruptions waiting for the next event, and the recent trade ids. From it
/// come the gaps — a stretch a series may not have been received live — each with a cause:
///
/// - a connection carrying the series went down (`connection`) or silent (`silence`): from the
///   last event before to the first event after (``interrupted(_:cause:)``);
/// - the exchange numbers trades consecutively and an id was skipped (`sequence`);
/// - the Kafka producer refused events of the series (`producer`): from the last event it took to
///   the next one it takes, or one failed delivery;
/// - the collector was not running (`restart`): from the last event of the series found in Kafka
///   at start to the first one received after (``resume(from:)``).
///
/// Shared by the exchange's connections and its sink; every method takes one lock.
public final class SeriesTracker: Sendable {
    /// A gap that closed (its end is known) and awaits repair, with what the numbering tells.
    public struct ClosedGap: Sendable, Equatable {
        public var gap: SeriesGap
        /// The last trade id before the gap and the first after, where ids are consecutive.
        public var idsBetween: ClosedRange<Int64>?
    }

    private struct Key: Hashable {
        var symbol: Symbol
        var channel: MarketEvent.Kind
    }

    private struct Series {
        /// Event time and trade id of the last event handed on.
        var lastNanos: Int64?
        var lastID: Int64?
        /// Event time of the first event handed on by this process, before anything in Kafka was known.
        var firstNanos: Int64?
        /// An interruption waiting for the next event: cause and where the gap starts.
        var pending: (cause: SeriesGap.Cause, startNanos: Int64?, lastID: Int64?)?
        /// Recent trade ids, to tell a recovered trade from one already received.
        var recentIDs = RecentIDs()
    }

    public let exchange: Exchange
    /// Whether the exchange numbers trades consecutively per symbol (Binance).
    public let consecutiveIDs: Bool
    private let series = Mutex<[Key: Series]>([:])

    public init(exchange: Exchange, consecutiveIDs: Bool) {
        self.exchange = exchange
        self.consecutiveIDs = consecutiveIDs
    }

    /// The connection carrying `symbols` is down: every series of theirs that has had an event
    /// gets a gap from its last event to its next one.
    public func interrupted(_ symbols: [Symbol], cause: SeriesGap.Cause) {
        series.withLock { series in
            for symbol in symbols {
                for channel in [MarketEvent.Kind.ticker, .trade] {
                    let key = Key(symbol: symbol, channel: channel)
                    guard var state = series[key], let last = state.lastNanos, state.pending == nil else { continue }
                    state.pending = (cause, last, state.lastID)
                    series[key] = state
                }
            }
        }
    }

    /// Records `events`, received in order; those at the indices in `refused` were not taken by
    /// the sink. Returns the gaps the events closed.
    public func record(_ events: [MarketEvent], refused: Set<Int> = [], now: Int64) -> [ClosedGap] {
        var closed: [ClosedGap] = []
        series.withLock { series in
            for (index, event) in events.enumerated() {
                // Updated in place: a copy of the state would copy its set of recent ids on every trade.
                let key = Key(symbol: event.symbol, channel: event.kind)
                if let gap = record(event, refused: refused.contains(index), now: now, into: &series[key, default: Series()]) {
                    closed.append(gap)
                }
            }
        }
        return closed
    }

    /// One event of a series: the gap it closes, if any.
    private func record(_ event: MarketEvent, refused: Bool, now: Int64, into state: inout Series) -> ClosedGap? {
        if refused {
            if state.pending == nil { state.pending = (.producer, state.lastNanos, state.lastID) }
            return nil
        }
        var closed: ClosedGap?
        let id = event.kind == .trade ? event.tradeID.flatMap { Int64($0) } : nil
        if let pending = state.pending {
            state.pending = nil
            // A trade had already, or the very ticker last had, shows the stream picked up
            // where it left off (Upbit and Bithumb send their latest trade on subscription;
            // a second collector resumes from what the first one produced): no gap.
            let repeated = event.kind == .trade
                ? event.tradeID.map { !state.recentIDs.insert($0) } ?? false
                : pending.startNanos == event.eventTimeNanos
            if let start = pending.startNanos, start <= event.eventTimeNanos, !repeated {
                closed = gap(event, cause: pending.cause, from: start, lastID: pending.lastID, firstID: id, now: now)
            }
        } else if consecutiveIDs, let last = state.lastID, let id, id > last + 1, let start = state.lastNanos {
            closed = gap(event, cause: .sequence, from: start, lastID: last, firstID: id, now: now)
        }
        if state.lastNanos.map({ event.eventTimeNanos >= $0 }) ?? true {
            state.lastNanos = event.eventTimeNanos
            if let id { state.lastID = max(state.lastID ?? id, id) }
        }
        if state.firstNanos == nil { state.firstNanos = event.eventTimeNanos }
        if let text = event.tradeID, event.kind == .trade { _ = state.recentIDs.insert(text) }
        return closed
    }

    /// A message of the series could not be delivered to Kafka (it was queued and failed later):
    /// a gap at that event's time.
    public func failedDelivery(_ event: MarketEvent, now: Int64) -> ClosedGap {
        let id = event.kind == .trade ? event.tradeID.flatMap { Int64($0) } : nil
        return gap(event, cause: .producer, from: event.eventTimeNanos, lastID: id.map { $0 - 1 }, firstID: id.map { $0 + 1 }, now: now)
    }

    /// Seeds the series from the last events the previous run left in Kafka: each becomes a
    /// `restart` gap from that event to the first one this run receives.
    /// - Returns: The gaps already closed (events were received before the seeding).
    public func resume(from lastEvents: [MarketEvent], now: Int64) -> [ClosedGap] {
        var closed: [ClosedGap] = []
        series.withLock { series in
            for event in lastEvents where event.exchange == exchange {
                let key = Key(symbol: event.symbol, channel: event.kind)
                if let gap = resume(from: event, now: now, into: &series[key, default: Series()]) { closed.append(gap) }
            }
        }
        return closed
    }

    /// One series seeded from the previous run's last event: the gap already closed, if any.
    private func resume(from event: MarketEvent, now: Int64, into state: inout Series) -> ClosedGap? {
        let id = event.kind == .trade ? event.tradeID.flatMap { Int64($0) } : nil
        if let text = event.tradeID, event.kind == .trade { _ = state.recentIDs.insert(text) }
        if let first = state.firstNanos {
            // Received already: the gap ends at this run's first event, if the previous run's last is older.
            guard event.eventTimeNanos < first else { return nil }
            let gap = SeriesGap(channel: event.kind, exchange: exchange, symbol: event.symbol, cause: .restart,
                                startNanos: event.eventTimeNanos, endNanos: first, recordedNanos: now)
            return ClosedGap(gap: gap, idsBetween: nil)
        }
        if state.pending == nil {
            state.pending = (.restart, event.eventTimeNanos, id)
            state.lastNanos = event.eventTimeNanos
            state.lastID = id
        }
        return nil
    }

    /// Whether a recovered trade is new (not received, nor recovered, before); records it.
    public func isNew(_ trade: MarketEvent) -> Bool {
        guard let text = trade.tradeID else { return true }
        return series.withLock { series in
            series[Key(symbol: trade.symbol, channel: .trade), default: Series()].recentIDs.insert(text)
        }
    }

    private func gap(_ event: MarketEvent, cause: SeriesGap.Cause, from start: Int64, lastID: Int64?, firstID: Int64?, now: Int64) -> ClosedGap {
        let gap = SeriesGap(channel: event.kind, exchange: exchange, symbol: event.symbol, cause: cause,
                            startNanos: start, endNanos: event.eventTimeNanos, recordedNanos: now)
        let between = consecutiveIDs && event.kind == .trade ? lastID.flatMap { last in firstID.map { last...max(last, $0) } } : nil
        return ClosedGap(gap: gap, idsBetween: between)
    }
}

/// The most recent trade ids of one series (a bounded ring), to drop a recovered trade that was
/// received live.
struct RecentIDs {
    /// Ids kept: more than a busy market trades in the few seconds a backfill takes to start.
    static let capacity = 4_096
    private var order: [UInt64] = []
    private var members: Set<UInt64> = []
    private var next = 0

    /// Records `id`; false when it is among the recent ones already.
    mutating func insert(_ id: String) -> Bool {
        let hash = fnv1a(id)
        guard members.insert(hash).inserted else { return false }
        if order.count < Self.capacity {
            order.append(hash)
        } else {
            members.remove(order[next])
            order[next] = hash
            next = (next + 1) % Self.capacity
        }
        return true
    }
}
