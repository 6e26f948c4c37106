/// One price level of an order book: a price and the quantity resting there, in the base asset.
public struct BookLevel: Sendable, Hashable {
    /// Price, in the market's quote currency.
    public var price: Double
    /// Quantity at that price, in the base asset; 0 in a delta removes the level.
    public var size: Double

    public init(price: Double, size: Double) {
        self.price = price
        self.size = size
    }
}

/// A local limit order book of one market: bids best (highest) first, asks best (lowest) first,
/// one level per price, no empty levels.
///
/// Pure state: the exchanges' sequencing rules (which message may follow which) live in
/// `BookSynchronizer`; this type only holds levels and answers questions about them.
public struct OrderBook: Sendable, Equatable {
    /// Bids, highest price first.
    public private(set) var bids: [BookLevel]
    /// Asks, lowest price first.
    public private(set) var asks: [BookLevel]

    /// A book holding these levels, in any order; levels of size 0 (or not finite and positive)
    /// are left out, and of two levels at one price the later wins.
    public init(bids: [BookLevel] = [], asks: [BookLevel] = []) {
        self.bids = []
        self.asks = []
        replace(bids: bids, asks: asks)
    }

    /// Replaces every level (a snapshot).
    public mutating func replace(bids newBids: [BookLevel], asks newAsks: [BookLevel]) {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        apply(bids: newBids, asks: newAsks)
    }

    /// Applies a delta: each level sets the quantity at its price; a quantity of 0 removes the
    /// price (a removal of a price the book does not hold is no error: exchanges send them).
    public mutating func apply(bids changedBids: [BookLevel], asks changedAsks: [BookLevel]) {
        for level in changedBids { Self.set(level, in: &bids, bestFirst: >) }
        for level in changedAsks { Self.set(level, in: &asks, bestFirst: <) }
    }

    /// Keeps only the best `depth` levels of each side (the depth a snapshot-only exchange sends,
    /// or what a publisher forwards).
    public mutating func truncate(depth: Int) {
        if bids.count > depth { bids.removeSubrange(max(depth, 0)...) }
        if asks.count > depth { asks.removeSubrange(max(depth, 0)...) }
    }

    /// The highest bid.
    public var bestBid: BookLevel? { bids.first }
    /// The lowest ask.
    public var bestAsk: BookLevel? { asks.first }
    /// Whether neither side holds a level.
    public var isEmpty: Bool { bids.isEmpty && asks.isEmpty }

    /// Whether the best bid is at or above the best ask: a book no exchange can hold, so a local
    /// copy in this state has missed an update.
    public var isCrossed: Bool {
        guard let bid = bestBid, let ask = bestAsk else { return false }
        return bid.price >= ask.price
    }

    /// Sets `level` in `side`, kept sorted best first by `bestFirst`; size 0 removes.
    private static func set(_ level: BookLevel, in side: inout [BookLevel], bestFirst: (Double, Double) -> Bool) {
        guard level.price.isFinite, level.price > 0 else { return }
        // Binary search for the first level not better than `level`.
        var low = 0
        var high = side.count
        while low < high {
            let middle = (low + high) / 2
            if bestFirst(side[middle].price, level.price) { low = middle + 1 } else { high = middle }
        }
        let exists = low < side.count && side[low].price == level.price
        let keeps = level.size.isFinite && level.size > 0
        switch (exists, keeps) {
        case (true, true): side[low].size = level.size
        case (true, false): side.remove(at: low)
        case (false, true): side.insert(level, at: low)
        case (false, false): break
        }
    }
}
