import CoinfluxCore
import Testing

@testable import Simulator

/// The order-book model without I/O: shape, determinism, small deltas, ids.
@Suite("Book model")
struct BookModelTests {
    static let start: Int64 = 1_700_000_000_000_000  // epoch µs

    static func market(seed: UInt64 = 5, quote: String = "USDT") -> Market {
        Market(exchange: .binance, symbol: Symbol(base: "BTC", quote: quote), seed: seed, startMicros: start,
               tradesPerSecond: 20, booksPerSecond: 10, logCapacity: 10_000, volumeRank: 0)
    }

    @Test("50 levels a side, never crossed, on the grid around the price; the same book however the ticks are asked for")
    func shapeAndDeterminism() throws {
        let stepwise = Self.market()
        let atOnce = Self.market()
        let firstTick = stepwise.bookTick(at: Self.start) + 1
        var changedLevels = 0
        var previous: SimulatedBook?
        for tick in firstTick..<(firstTick + 200) {
            let book = try #require(stepwise.book(tick: tick, at: (tick * 100 + 1) * 1_000))
            #expect(book.bids.count == BookModel.depth && book.asks.count == BookModel.depth)
            #expect(try #require(book.bids.first).index < (try #require(book.asks.first)).index)
            #expect(zip(book.bids, book.bids.dropFirst()).allSatisfy { $0.index > $1.index })
            #expect(zip(book.asks, book.asks.dropFirst()).allSatisfy { $0.index < $1.index })
            if let previous {
                let changes = SimulatedBook.changes(from: previous.bids, to: book.bids, descending: true).count
                    + SimulatedBook.changes(from: previous.asks, to: book.asks, descending: false).count
                #expect(book.changed, "the top of the book churns every tick")
                #expect(book.firstUpdateID == previous.lastUpdateID + 1)
                #expect(book.lastUpdateID - book.firstUpdateID + 1 == Int64(changes), "u − U + 1 = changed levels")
                #expect(book.updateID == previous.updateID + 1)
                #expect(book.sequence > previous.sequence)
                changedLevels += changes
            }
            previous = book
        }
        #expect(changedLevels / 199 < 25, "a tick changes a few levels of the 100, not the whole book: \(changedLevels / 199) on average")
        let last = firstTick + 199
        let replayed = try #require(atOnce.book(tick: last, at: (last * 100 + 1) * 1_000))
        #expect(replayed.bids == previous?.bids && replayed.asks == previous?.asks, "levels depend on seed, tick and price only")
    }

    @Test("grid steps: about 1 bp, 1-2-5 times the exchange's tick; prices print with the step's digits")
    func grid() {
        #expect(Self.market(quote: "KRW").bookModel.step == 5_000)
        #expect(Self.market().bookModel.step == 5)
        #expect(Self.market().bookModel.priceDigits == 0)
    }
}
