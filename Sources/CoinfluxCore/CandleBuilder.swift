/// Builds OHLCV candles (1 minute by default) from the trades of one (exchange, symbol), by event
/// time.
///
/// At most one candle is open. It is closed, and handed back final, when
/// - the first trade of a later interval arrives (``add(price:size:eventTimeNanos:)`` returns it
///   in ``Outcome/added(closed:)``), or
/// - ``close(upTo:)`` is called with a time at or after the interval's end (for markets that went
///   quiet: call it with a watermark such as "now minus a grace period").
/// Intervals without trades produce no candle.
///
/// Late trades: once an interval is closed, or a later interval has opened, a trade for it is
/// dropped and reported as ``Outcome/late`` so the caller can count it; a final candle is never
/// reopened. Trades out of order *within* the open interval are fine (see ``Candle``).
public struct CandleBuilder: Sendable {
    /// An invalid interval.
    public enum ConfigurationError: Error, Sendable, Hashable {
        /// The interval must be positive and fit in 64-bit nanoseconds.
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

    /// What ``add(price:size:eventTimeNanos:)`` did.
    public enum Outcome: Sendable, Hashable {
        /// The trade is in the open candle. If it opened a new interval, `closed` is the previous
        /// candle, now final.
        case added(closed: Candle?)
        /// The trade's interval is already closed: dropped.
        case late
        /// The trade was not used; nothing changed.
        case rejected(Rejection)
    }

    /// Length of a candle in nanoseconds.
    public let intervalNanos: Int64
    /// The open candle, if any.
    public private(set) var current: Candle?
    /// Trades with an interval start before this are late; `Int64.min` until something closes.
    public private(set) var openFromNanos: Int64 = .min

    /// A builder with no candle yet.
    /// - Parameter interval: Candle length. Default: one minute.
    /// - Throws: ``ConfigurationError`` unless the interval is at least one nanosecond.
    public init(interval: Duration = .seconds(60)) throws(ConfigurationError) {
        guard let nanos = interval.wholeNanoseconds, nanos > 0 else {
            throw .intervalNotPositive(interval)
        }
        intervalNanos = nanos
    }

    /// Adds one trade.
    /// - Parameters:
    ///   - price: Execution price, positive.
    ///   - size: Quantity in the base asset, zero or more.
    ///   - eventTimeNanos: The exchange's trade time.
    public mutating func add(price: Double, size: Double, eventTimeNanos: Int64) -> Outcome {
        guard price.isFinite, price > 0 else { return .rejected(.invalidPrice) }
        guard size.isFinite, size >= 0 else { return .rejected(.invalidSize) }
        guard let start = intervalStart(of: eventTimeNanos) else { return .rejected(.invalidTime) }
        guard start >= openFromNanos else { return .late }

        if var candle = current, candle.startNanos == start {
            candle.add(price: price, size: size, eventTimeNanos: eventTimeNanos)
            current = candle
            return .added(closed: nil)
        }
        // A later interval (earlier ones are late, above): the open candle, if any, is final.
        let closed = current
        current = Candle(startNanos: start, intervalNanos: intervalNanos, price: price, size: size, eventTimeNanos: eventTimeNanos)
        openFromNanos = start
        return .added(closed: closed)
    }

    /// Adds a trade event's price, size (0 when absent) and time.
    public mutating func add(_ trade: MarketEvent) -> Outcome {
        add(price: trade.price, size: trade.size ?? 0, eventTimeNanos: trade.eventTimeNanos)
    }

    /// Closes the open candle if its interval has ended by `timeNanos`, and makes every interval
    /// that ends by then final: later trades for them are ``Outcome/late``.
    /// - Returns: The candle that was closed, if any.
    public mutating func close(upTo timeNanos: Int64) -> Candle? {
        if let start = intervalStart(of: timeNanos), start > openFromNanos {
            openFromNanos = start
        }
        guard let candle = current, candle.startNanos < openFromNanos else { return nil }
        current = nil
        return candle
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
