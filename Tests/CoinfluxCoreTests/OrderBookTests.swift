import CoinfluxCore
import Testing

@Suite struct OrderBookTests {
    static func levels(_ pairs: [(Double, Double)]) -> [BookLevel] {
        pairs.map { BookLevel(price: $0.0, size: $0.1) }
    }

    static func isClose(_ a: Double?, _ b: Double, tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func snapshotSortsBestFirstAndDropsEmptyLevels() {
        let book = OrderBook(
            bids: Self.levels([(99, 1), (100, 2), (98, 0), (99, 3)]),
            asks: Self.levels([(102, 1), (101, 4), (103, 0), (.nan, 1)])
        )
        #expect(book.bids == Self.levels([(100, 2), (99, 3)]))
        #expect(book.asks == Self.levels([(101, 4), (102, 1)]))
        #expect(book.bestBid == BookLevel(price: 100, size: 2))
        #expect(book.bestAsk == BookLevel(price: 101, size: 4))
        #expect(!book.isCrossed)
    }

    @Test func deltaSetsInsertsAndRemoves() {
        var book = OrderBook(bids: Self.levels([(100, 2), (99, 3)]), asks: Self.levels([(101, 4), (102, 1)]))
        book.apply(
            bids: Self.levels([(99, 0), (99.5, 7), (100, 1), (50, 0)]),
            asks: Self.levels([(101, 0), (101.5, 2), (103, 6)])
        )
        #expect(book.bids == Self.levels([(100, 1), (99.5, 7)]))
        #expect(book.asks == Self.levels([(101.5, 2), (102, 1), (103, 6)]))
        book.replace(bids: Self.levels([(1, 1)]), asks: [])
        #expect(book.bids == Self.levels([(1, 1)]))
        #expect(book.asks.isEmpty)
    }

    @Test func crossedAndLockedBooksAreCrossed() {
        var book = OrderBook(bids: Self.levels([(100, 1)]), asks: Self.levels([(101, 1)]))
        book.apply(bids: Self.levels([(101, 1)]), asks: [])
        #expect(book.isCrossed)
        book.apply(bids: Self.levels([(101, 0)]), asks: Self.levels([(99, 1)]))
        #expect(book.isCrossed)
        #expect(!OrderBook(bids: Self.levels([(100, 1)])).isCrossed)
    }

    @Test func truncateKeepsTheBestLevels() {
        var book = OrderBook(bids: Self.levels([(100, 1), (99, 1), (98, 1)]), asks: Self.levels([(101, 1), (102, 1)]))
        book.truncate(depth: 2)
        #expect(book.bids.map(\.price) == [100, 99])
        #expect(book.asks.map(\.price) == [101, 102])
    }

    /// Mid 100.05; the ±10 bps band is [99.94995, 100.15005], the ±50 bps band [99.54975, 100.55025].
    @Test func summaryMeasuresSpreadDepthAndImbalance() throws {
        let book = OrderBook(
            bids: Self.levels([(100, 2), (99.9, 1), (99, 5)]),
            asks: Self.levels([(100.1, 1), (100.2, 3), (101, 4)])
        )
        let summary = try #require(BookSummary(book))
        #expect(summary.bestBid == 100 && summary.bestBidSize == 2)
        #expect(summary.bestAsk == 100.1 && summary.bestAskSize == 1)
        #expect(Self.isClose(summary.mid, 100.05))
        #expect(Self.isClose(summary.spreadBasisPoints, 0.1 / 100.05 * 10_000))
        #expect(Self.isClose(summary.bidDepth10, 200))
        #expect(Self.isClose(summary.askDepth10, 100.1))
        #expect(Self.isClose(summary.bidDepth50, 200 + 99.9))
        #expect(Self.isClose(summary.askDepth50, 100.1 + 300.6))
        #expect(Self.isClose(summary.imbalance, (299.9 - 400.7) / (299.9 + 400.7)))
    }

    @Test func noSummaryOfOneSidedOrCrossedBooks() {
        #expect(BookSummary(OrderBook(bids: Self.levels([(100, 1)]))) == nil)
        #expect(BookSummary(OrderBook(bids: Self.levels([(100, 1)]), asks: Self.levels([(100, 1)]))) == nil)
    }

    @Test func fillsWalkTheBookBestFirst() {
        let book = OrderBook(bids: Self.levels([(99, 1), (98, 2)]), asks: Self.levels([(100, 1), (101, 2), (102, 10)]))
        let exact = book.buy(spending: 302)
        #expect(Self.isClose(exact.quantity, 3) && exact.filledFraction == 1)
        #expect(Self.isClose(exact.averagePrice, 302.0 / 3))
        let partialLevel = book.buy(spending: 1_000)
        #expect(Self.isClose(partialLevel.quantity, 3 + 698.0 / 102))
        #expect(partialLevel.quoteAmount == 1_000 && partialLevel.filledFraction == 1)
        let thin = book.buy(spending: 2_000)
        #expect(Self.isClose(thin.quantity, 13) && Self.isClose(thin.quoteAmount, 1_322))
        #expect(Self.isClose(thin.filledFraction, 1_322.0 / 2_000))
        #expect(Self.isClose(book.buy(quantity: 2).averagePrice, 100.5))
        let sold = book.sell(quantity: 5)
        #expect(Self.isClose(sold.quantity, 3) && Self.isClose(sold.filledFraction, 3.0 / 5))
        #expect(Self.isClose(sold.quoteAmount, 99 + 196))
        #expect(Self.isClose(book.sell(receiving: 148).quantity, 1 + 49.0 / 98))
        #expect(OrderBook().buy(spending: 10).averagePrice == nil)
        #expect(book.buy(spending: 0).filledFraction == 0)
    }

    /// KRW asks 1 310 × 5, 1 320 × 10; bids 1 300 × 5, 1 290 × 10. Reference (USDT) bids 1.00 × 3,
    /// 0.99 × 10; asks 1.01 × 3, 1.02 × 10. 1 250 KRW per USDT, size 10 000 KRW.
    @Test func executablePremiumBothDirections() throws {
        let krw = OrderBook(bids: Self.levels([(1_300, 5), (1_290, 10)]), asks: Self.levels([(1_310, 5), (1_320, 10)]))
        let reference = OrderBook(bids: Self.levels([(1.00, 3), (0.99, 10)]), asks: Self.levels([(1.01, 3), (1.02, 10)]))
        let premium = try #require(ExecutablePremium(krwBook: krw, referenceBook: reference, krwPerDollar: 1_250, sizeKRW: 10_000))
        #expect(premium.krwPerDollar == 1_250)

        // Buy in Korea: 6 550 KRW buys 5, the remaining 3 450 buy 3 450 / 1 320; sell that on the bids.
        let boughtQuantity = 5 + 3_450.0 / 1_320
        let referenceProceeds = 3 * 1.00 + (boughtQuantity - 3) * 0.99
        let buyPremium = (10_000 / boughtQuantity) / (referenceProceeds / boughtQuantity * 1_250) - 1
        #expect(Self.isClose(premium.buyInKorea.premium, buyPremium))
        #expect(premium.buyInKorea.krwFill == 1 && premium.buyInKorea.referenceFill == 1)

        // Sell in Korea: 6 500 KRW for 5, the remaining 3 500 for 3 500 / 1 290; buy that on the asks.
        let soldQuantity = 5 + 3_500.0 / 1_290
        let referenceCost = 3 * 1.01 + (soldQuantity - 3) * 1.02
        let sellPremium = (10_000 / soldQuantity) / (referenceCost / soldQuantity * 1_250) - 1
        #expect(Self.isClose(premium.sellInKorea.premium, sellPremium))

        // 100 000 KRW is more than the KRW asks hold (19 750): the fill says so.
        let thin = try #require(ExecutablePremium(krwBook: krw, referenceBook: reference, krwPerDollar: 1_250, sizeKRW: 100_000))
        #expect(Self.isClose(thin.buyInKorea.krwFill, 19_750.0 / 100_000))
        #expect(Self.isClose(thin.buyInKorea.referenceFill, 13.0 / 15))
        #expect(ExecutablePremium(krwBook: krw, referenceBook: reference, krwPerDollar: 0, sizeKRW: 1) == nil)
        #expect(ExecutablePremium(krwBook: krw, referenceBook: OrderBook(), krwPerDollar: 1, sizeKRW: 1)?.buyInKorea.premium == nil)
    }
}
