/// One OHLCV candle: the trades of one interval `[startNanos, startNanos + intervalNanos)`.
///
/// Open and close are the prices of the earliest and latest trade by event time; trades of the
/// same time are ordered by their `order` (a numeric trade id) where they have one, else by
/// arrival. So trades arriving out of order, late or twice over different paths still give the
/// same open and close.
public struct Candle: Sendable, Hashable {
    /// One trade, as a candle sees it.
    public struct Trade: Sendable, Hashable {
        public var price: Double
        public var size: Double
        public var timeNanos: Int64
        /// Tie-break among trades of the same time; nil: arrival order.
        public var order: Int64?

        public init(price: Double, size: Double, timeNanos: Int64, order: Int64? = nil) {
            self.price = price
            self.size = size
            self.timeNanos = timeNanos
            self.order = order
        }
    }

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
    /// Event time and order of the trade that set `open`.
    public var firstTradeNanos: Int64
    var firstOrder: Int64?
    /// Event time and order of the trade that set `close`.
    public var lastTradeNanos: Int64
    var lastOrder: Int64?
    /// False when trades of the interval are known to be missing (an unrepaired gap).
    public var isComplete = true

    /// A candle holding one trade.
    init(startNanos: Int64, intervalNanos: Int64, first trade: Trade) {
        self.startNanos = startNanos
        self.intervalNanos = intervalNanos
        open = trade.price
        high = trade.price
        low = trade.price
        close = trade.price
        volume = trade.size
        quoteVolume = trade.price * trade.size
        tradeCount = 1
        firstTradeNanos = trade.timeNanos
        firstOrder = trade.order
        lastTradeNanos = trade.timeNanos
        lastOrder = trade.order
    }

    /// Adds a trade of the same interval.
    mutating func add(_ trade: Trade) {
        if Self.precedes(trade.timeNanos, trade.order, firstTradeNanos, firstOrder) {
            open = trade.price
            firstTradeNanos = trade.timeNanos
            firstOrder = trade.order
        }
        if !Self.precedes(trade.timeNanos, trade.order, lastTradeNanos, lastOrder) {
            close = trade.price
            lastTradeNanos = trade.timeNanos
            lastOrder = trade.order
        }
        high = max(high, trade.price)
        low = min(low, trade.price)
        volume += trade.size
        quoteVolume += trade.price * trade.size
        tradeCount += 1
    }

    /// Whether (time, order) comes before (otherTime, otherOrder). Equal times without both
    /// orders do not: arrival decides (the first to arrive opens, the last closes).
    private static func precedes(_ time: Int64, _ order: Int64?, _ otherTime: Int64, _ otherOrder: Int64?) -> Bool {
        if time != otherTime { return time < otherTime }
        guard let order, let otherOrder else { return false }
        return order < otherOrder
    }
}
