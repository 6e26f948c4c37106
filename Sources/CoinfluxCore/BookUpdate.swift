/// One order-book message of one market as an exchange sent it, normalized: a full snapshot or a
/// delta, with the exchange's update ids where it sends them.
///
/// Adapters parse frames (and REST snapshots) into these; `BookSynchronizer` applies them to an
/// `OrderBook` by the exchange's sequencing rules.
public struct BookUpdate: Sendable, Equatable {
    /// Whether the message replaces the book or changes it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Every level of the sent depth; replaces the book.
        case snapshot
        /// Changed levels only; a size of 0 removes the price.
        case delta
    }

    public var kind: Kind
    public var exchange: Exchange
    public var symbol: Symbol
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    /// The first update id the message covers (Binance `U`); nil where the exchange sends one id.
    public var firstUpdateID: Int64?
    /// The (last) update id of the message (Binance `u` / `lastUpdateId`, Bybit `u`); nil where
    /// the exchange sends none.
    public var updateID: Int64?
    /// The exchange's time of the message, nanoseconds since the epoch.
    public var eventTimeNanos: Int64
    /// When coinflux received it, nanoseconds since the epoch.
    public var receiveTimeNanos: Int64

    public init(
        kind: Kind, exchange: Exchange, symbol: Symbol, bids: [BookLevel], asks: [BookLevel],
        firstUpdateID: Int64? = nil, updateID: Int64? = nil, eventTimeNanos: Int64, receiveTimeNanos: Int64
    ) {
        self.kind = kind
        self.exchange = exchange
        self.symbol = symbol
        self.bids = bids
        self.asks = asks
        self.firstUpdateID = firstUpdateID
        self.updateID = updateID
        self.eventTimeNanos = eventTimeNanos
        self.receiveTimeNanos = receiveTimeNanos
    }
}
