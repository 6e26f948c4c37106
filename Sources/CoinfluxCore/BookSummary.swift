/// What the `orderbook` measurement records of one book at one moment: the top of the book, the
/// spread, the depth near the mid price and how it leans.
///
/// Depth is the quote-currency value (`price × size`, summed) of the levels within a band around
/// the mid price: bids priced at or above `mid · (1 − bps/10 000)`, asks at or below
/// `mid · (1 + bps/10 000)`. Imbalance compares the two sides' depth within ±50 bps:
/// `(bid − ask) / (bid + ask)`, from −1 (asks only) to +1 (bids only).
public struct BookSummary: Sendable, Equatable {
    public var bestBid: Double
    public var bestBidSize: Double
    public var bestAsk: Double
    public var bestAskSize: Double
    /// `(bestBid + bestAsk) / 2`.
    public var mid: Double
    /// `(bestAsk − bestBid) / mid · 10 000`.
    public var spreadBasisPoints: Double
    /// Bid depth within 10 bps of the mid, in the quote currency.
    public var bidDepth10: Double
    /// Ask depth within 10 bps of the mid, in the quote currency.
    public var askDepth10: Double
    /// Bid depth within 50 bps of the mid, in the quote currency.
    public var bidDepth50: Double
    /// Ask depth within 50 bps of the mid, in the quote currency.
    public var askDepth50: Double
    /// `(bidDepth50 − askDepth50) / (bidDepth50 + askDepth50)`.
    public var imbalance: Double

    /// The summary of `book`; nil when a side is empty or the book is crossed (no mid to speak of).
    public init?(_ book: OrderBook) {
        guard let bid = book.bestBid, let ask = book.bestAsk, bid.price < ask.price else { return nil }
        bestBid = bid.price
        bestBidSize = bid.size
        bestAsk = ask.price
        bestAskSize = ask.size
        let mid = (bid.price + ask.price) / 2
        self.mid = mid
        spreadBasisPoints = (ask.price - bid.price) / mid * 10_000
        bidDepth10 = Self.depth(book.bids) { $0 >= mid * (1 - 10.0 / 10_000) }
        askDepth10 = Self.depth(book.asks) { $0 <= mid * (1 + 10.0 / 10_000) }
        bidDepth50 = Self.depth(book.bids) { $0 >= mid * (1 - 50.0 / 10_000) }
        askDepth50 = Self.depth(book.asks) { $0 <= mid * (1 + 50.0 / 10_000) }
        imbalance = (bidDepth50 - askDepth50) / (bidDepth50 + askDepth50)
    }

    /// Quote value of the levels from the best one on while `inBand` holds for their price.
    private static func depth(_ side: [BookLevel], inBand: (Double) -> Bool) -> Double {
        var total = 0.0
        for level in side {
            guard inBand(level.price) else { break }
            total += level.price * level.size
        }
        return total
    }
}
