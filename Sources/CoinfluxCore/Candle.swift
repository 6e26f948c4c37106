/// One OHLCV candle: the trades of one interval `[startNanos, startNanos + intervalNanos)`.
///
/// Open and close are the prices of the earliest and latest trade by event time (on a tie, the
/// first to arrive opens and the last to arrive closes), so trades arriving out of order within
/// the interval still give the right open and close.
public struct Candle: Sendable, Hashable {
    /// Start of the interval, nanoseconds since the epoch; the candle's timestamp.
    public var startNanos: Int64
    /// Length of the interval in nanoseconds.
    public var intervalNanos: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Traded quantity in the base asset, the sum of the trade sizes.
    public var volume: Double
    /// Traded value in the quote asset, the sum of price × size (volume-weighted average price
    /// = `quoteVolume / volume`).
    public var quoteVolume: Double
    /// Number of trades.
    public var tradeCount: Int
    /// Event time of the trade that set `open`.
    public var firstTradeNanos: Int64
    /// Event time of the trade that set `close`.
    public var lastTradeNanos: Int64

    /// A candle holding one trade.
    init(startNanos: Int64, intervalNanos: Int64, price: Double, size: Double, eventTimeNanos: Int64) {
        self.startNanos = startNanos
        self.intervalNanos = intervalNanos
        open = price
        high = price
        low = price
        close = price
        volume = size
        quoteVolume = price * size
        tradeCount = 1
        firstTradeNanos = eventTimeNanos
        lastTradeNanos = eventTimeNanos
    }

    /// Adds a trade of the same interval.
    mutating func add(price: Double, size: Double, eventTimeNanos: Int64) {
        if eventTimeNanos < firstTradeNanos {
            open = price
            firstTradeNanos = eventTimeNanos
        }
        if eventTimeNanos >= lastTradeNanos {
            close = price
            lastTradeNanos = eventTimeNanos
        }
        high = max(high, price)
        low = min(low, price)
        volume += size
        quoteVolume += price * size
        tradeCount += 1
    }
}
