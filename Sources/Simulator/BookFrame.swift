import NIOCore

/// What one book frame of one stream reports: the book of a tick, the one this stream sent (or
/// skipped) last, and how the frame is to be bent by faults.
struct BookFrame {
    let book: SimulatedBook
    /// The book last sent on the stream (or skipped by a `bookGap`); nil for its first frame.
    let previous: SimulatedBook?
    let model: BookModel
    /// An Upbit-style snapshot frame (`stream_type` `SNAPSHOT`).
    let snapshot: Bool
    /// The `crossedBook` fault: the frame carries a crossed book.
    let crossed: Bool
    let booksPerSecond: Double

    /// The best `depth` levels a side (0: all) of `book`; with ``crossed`` a bid at the best ask is
    /// put on top (the worst bid dropped to keep the depth).
    func top(_ depth: Int) -> (bids: ArraySlice<SimulatedBook.Level>, asks: ArraySlice<SimulatedBook.Level>) {
        let asks = Self.prefix(book.asks, depth)
        guard crossed, let bestAsk = book.asks.first else { return (Self.prefix(book.bids, depth), asks) }
        let bids = [SimulatedBook.Level(index: bestAsk.index, lots: book.bids.first?.lots ?? 1)] + book.bids
        return (Self.prefix(bids, depth), asks)
    }

    /// The changes within the best `depth` levels a side (0: all) since ``previous`` (levels that
    /// left the top with size 0); with ``crossed`` a bid at the best ask is added. Empty sides when
    /// nothing changed; nil for a first frame.
    func changes(_ depth: Int) -> (bids: [SimulatedBook.Level], asks: [SimulatedBook.Level])? {
        guard let previous else { return nil }
        var bids = SimulatedBook.changes(from: Array(Self.prefix(previous.bids, depth)), to: Array(Self.prefix(book.bids, depth)), descending: true)
        let asks = SimulatedBook.changes(from: Array(Self.prefix(previous.asks, depth)), to: Array(Self.prefix(book.asks, depth)), descending: false)
        if crossed, let bestAsk = book.asks.first {
            bids.removeAll { $0.index == bestAsk.index }
            bids.insert(SimulatedBook.Level(index: bestAsk.index, lots: book.bids.first?.lots ?? 1), at: 0)
        }
        return (bids, asks)
    }

    /// Whether the best `depth` levels a side differ from ``previous``'s (true for a first frame).
    func topChanged(_ depth: Int) -> Bool {
        guard let previous else { return true }
        return Self.prefix(previous.bids, depth) != Self.prefix(book.bids, depth)
            || Self.prefix(previous.asks, depth) != Self.prefix(book.asks, depth)
    }

    private static func prefix(_ levels: [SimulatedBook.Level], _ depth: Int) -> ArraySlice<SimulatedBook.Level> {
        depth > 0 ? levels.prefix(depth) : levels[...]
    }
}

extension ByteBuffer {
    /// `[["price","size"],…]` of `levels` with `model`'s grid and lot (Binance and Bybit levels).
    mutating func writeLevelPairs<Levels: Collection<SimulatedBook.Level>>(_ levels: Levels, model: BookModel, priceDigits: Int, sizeDigits: Int) {
        writeStaticString("[")
        var first = true
        for level in levels {
            writeStaticString(first ? "[" : ",[")
            first = false
            writeQuotedDecimal(model.price(level.index), fractionDigits: priceDigits)
            writeStaticString(",")
            writeQuotedDecimal(model.size(level.lots), fractionDigits: sizeDigits)
            writeStaticString("]")
        }
        writeStaticString("]")
    }
}
