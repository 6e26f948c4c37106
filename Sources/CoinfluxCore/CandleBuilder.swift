/// Builds OHLCV candles (1 minute by default) from the trades of one (exchange, symbol), by event
/// time.
///
/// At most one candle is open. It is closed, and handed back, when
/// - the first trade of a later interval arrives (``add(price:size:eventTimeNanos:order:)``
///   returns it in ``Outcome/added(closed:)``), or
/// - ``close(upTo:)`` is called with a time at or after the interval's end (for markets that went
///   quiet: call it with a watermark such as "now minus a grace period").
/// Intervals without trades produce no candle.
///
/// Late trades — for an interval already closed, recovered after a gap, say — revise that
/// interval's candle (``Outcome/revised(_:)``) as long as it started within `revisionHorizon` of
/// the newest interval; older ones are ``Outcome/late`` so the caller can count them. Trades out
/// of order within an interval are fine (see ``Candle``).
public struct CandleBuilder: Sendable {
    /// An invalid interval.
    public enum ConfigurationError: Error, Sendable, Hashable {
        /// The interval must be positive and fit in 64-bit nanoseconds; the horizon must not be negative.
        case intervalNotPositive(Duration)
    }

    /// Why a trade was not used.
    public enum Rejection: Error, Sendable, Hashable {
        /// The price is NaN, infinite, zero or negative.
        case invalidPrice
        /// The size is NaN, infinite or negative.
        case invalidSize
        /// The event time is so close to `Int64.min` that its interval start does not exist.
        case invalidTime
    }

    /// What ``add(price:size:eventTimeNanos:order:)`` did.
    public enum Outcome: Sendable, Hashable {
        /// The trade is in the open candle. If it opened a new interval, `closed` is the previous
        /// candle, now closed.
        case added(closed: Candle?)
        /// The trade's interval was closed and still within the horizon: this is its candle with
        /// the trade in it (write it again).
        case revised(Candle)
        /// The trade's interval is closed and beyond the horizon: dropped.
        case late
        /// The trade was not used; nothing changed.
        case rejected(Rejection)
    }

    /// Length of a candle in nanoseconds.
    public let intervalNanos: Int64
    /// How far before the newest interval a closed candle can still be revised, in nanoseconds.
    public let revisionHorizonNanos: Int64
    /// The open candle, if any.
    public private(set) var current: Candle?
    /// Trades with an interval start before this are not in the open candle; `Int64.min` until
    /// something closes.
    public private(set) var openFromNanos: Int64 = .min
    /// Closed candles still within the horizon, by interval start.
    private var closed: [Int64: Candle] = [:]
    /// Intervals marked incomplete that have no candle yet, within the horizon.
    private var incompleteStarts: Set<Int64> = []

    /// A builder with no candle yet.
    /// - Parameters:
    ///   - interval: Candle length. Default: one minute.
    ///   - revisionHorizon: How long closed candles can be revised. Default: none.
    /// - Throws: ``ConfigurationError`` unless the interval is at least one nanosecond.
    public init(interval: Duration = .seconds(60), revisionHorizon: Duration = .zero) throws(ConfigurationError) {
        guard let nanos = interval.wholeNanoseconds, nanos > 0 else {
            throw .intervalNotPositive(interval)
        }
        guard let horizon = revisionHorizon.wholeNanoseconds, horizon >= 0 else {
            throw .intervalNotPositive(revisionHorizon)
        }
        intervalNanos = nanos
        revisionHorizonNanos = horizon
    }

    /// Adds one trade.
    /// - Parameters:
    ///   - price: Execution price, positive.
    ///   - size: Quantity in the base asset, zero or more.
    ///   - eventTimeNanos: The exchange's trade time.
    ///   - order: Orders trades of the same time (a numeric trade id), so open and close do not
    ///     depend on arrival; nil: arrival order.
    public mutating func add(price: Double, size: Double, eventTimeNanos: Int64, order: Int64? = nil) -> Outcome {
        guard price.isFinite, price > 0 else { return .rejected(.invalidPrice) }
        guard size.isFinite, size >= 0 else { return .rejected(.invalidSize) }
        guard let start = intervalStart(of: eventTimeNanos) else { return .rejected(.invalidTime) }
        let trade = Candle.Trade(price: price, size: size, timeNanos: eventTimeNanos, order: order)

        if start < openFromNanos {
            guard isWithinHorizon(start) else { return .late }
            var candle = closed[start] ?? Candle(startNanos: start, intervalNanos: intervalNanos, first: trade)
            if closed[start] != nil { candle.add(trade) }
            if incompleteStarts.remove(start) != nil { candle.isComplete = false }
            closed[start] = candle
            return .revised(candle)
        }
        if var candle = current, candle.startNanos == start {
            candle.add(trade)
            current = candle
            return .added(closed: nil)
        }
        // A later interval: the open candle, if any, is closed.
        let previous = current
        var opened = Candle(startNanos: start, intervalNanos: intervalNanos, first: trade)
        if incompleteStarts.remove(start) != nil { opened.isComplete = false }
        current = opened
        openFromNanos = start
        if let previous { keep(previous) }
        return .added(closed: previous)
    }

    /// Adds a trade event's price, size (0 when absent), time and numeric id.
    public mutating func add(_ trade: MarketEvent) -> Outcome {
        add(price: trade.price, size: trade.size ?? 0, eventTimeNanos: trade.eventTimeNanos, order: trade.tradeID.flatMap { Int64($0) })
    }

    /// Closes the open candle if its interval has ended by `timeNanos`, and makes every interval
    /// that ends by then closed.
    /// - Returns: The candle that was closed, if any.
    public mutating func close(upTo timeNanos: Int64) -> Candle? {
        if let start = intervalStart(of: timeNanos), start > openFromNanos {
            openFromNanos = start
        }
        guard let candle = current, candle.startNanos < openFromNanos else { return nil }
        current = nil
        keep(candle)
        return candle
    }

    /// Marks the intervals overlapping `[fromNanos, toNanos]` incomplete: trades of them are
    /// known to be missing. Intervals beyond the horizon are left as they are.
    /// - Returns: The closed candles whose mark changed (write them again); the open candle and
    ///   intervals without a candle yet carry the mark when they are written.
    public mutating func markIncomplete(fromNanos: Int64, toNanos: Int64) -> [Candle] {
        guard let first = intervalStart(of: fromNanos), let last = intervalStart(of: max(fromNanos, toNanos)) else { return [] }
        var changed: [Candle] = []
        var start = first
        while start <= last {
            if current?.startNanos == start {
                current?.isComplete = false
            } else if var candle = closed[start] {
                if candle.isComplete {
                    candle.isComplete = false
                    closed[start] = candle
                    changed.append(candle)
                }
            } else if start >= openFromNanos || isWithinHorizon(start) {
                incompleteStarts.insert(start)
            }
            let (next, overflow) = start.addingReportingOverflow(intervalNanos)
            if overflow { break }
            start = next
        }
        return changed
    }

    /// Whether a closed interval starting at `start` can still be revised.
    private func isWithinHorizon(_ start: Int64) -> Bool {
        guard openFromNanos != .min else { return false }
        let (oldest, overflow) = openFromNanos.subtractingReportingOverflow(revisionHorizonNanos)
        return overflow || start >= oldest
    }

    /// Keeps a closed candle for revisions, and forgets those that left the horizon.
    private mutating func keep(_ candle: Candle) {
        guard revisionHorizonNanos > 0 else { return }
        closed[candle.startNanos] = candle
        closed = closed.filter { isWithinHorizon($0.key) }
        incompleteStarts = incompleteStarts.filter { $0 >= openFromNanos || isWithinHorizon($0) }
    }

    /// Start of the interval holding `timeNanos` (floor, also for negative times); nil when it
    /// would be below `Int64.min`.
    private func intervalStart(of timeNanos: Int64) -> Int64? {
        let remainder = timeNanos % intervalNanos
        let offset = remainder < 0 ? remainder + intervalNanos : remainder
        let (start, overflow) = timeNanos.subtractingReportingOverflow(offset)
        return overflow ? nil : start
    }
}
