import CoinfluxCore
import Testing

@Suite struct CandleBuilderTests {
    static let second: Int64 = 1_000_000_000
    static let minute: Int64 = 60 * second

    static func closed(_ outcome: CandleBuilder.Outcome) -> Candle?? {
        if case .added(let closed) = outcome { return .some(closed) }
        return nil
    }

    /// Four trades of the first minute, out of order: t=0 s 100×1, t=10 s 105×2, t=5 s 95×1,
    /// t=59.999 s 101×0.5. By hand: open 100 (earliest, t=0), high 105, low 95, close 101
    /// (latest, t=59.999), volume 1+2+1+0.5 = 4.5, quote volume 100+210+95+50.5 = 455.5.
    @Test func ohlcvOfOneMinute() throws {
        var builder = try CandleBuilder()
        #expect(builder.add(price: 100, size: 1, eventTimeNanos: 0) == .added(closed: nil))
        #expect(builder.add(price: 105, size: 2, eventTimeNanos: 10 * Self.second) == .added(closed: nil))
        #expect(builder.add(price: 95, size: 1, eventTimeNanos: 5 * Self.second) == .added(closed: nil))
        #expect(builder.add(price: 101, size: 0.5, eventTimeNanos: Self.minute - 1_000_000) == .added(closed: nil))

        let candle = try #require(builder.current)
        #expect(candle.startNanos == 0 && candle.intervalNanos == Self.minute)
        #expect(candle.open == 100 && candle.high == 105 && candle.low == 95 && candle.close == 101)
        #expect(candle.volume == 4.5 && candle.quoteVolume == 455.5 && candle.tradeCount == 4)
        #expect(candle.firstTradeNanos == 0 && candle.lastTradeNanos == Self.minute - 1_000_000)

        // The first trade of the next minute closes it.
        let outcome = builder.add(price: 110, size: 1, eventTimeNanos: Self.minute)
        #expect(outcome == .added(closed: candle))
        #expect(builder.current?.startNanos == Self.minute)
        #expect(builder.current?.open == 110)
    }

    @Test func lateTradesAreDroppedAndReported() throws {
        var builder = try CandleBuilder()
        _ = builder.add(price: 100, size: 1, eventTimeNanos: 30 * Self.second)
        _ = builder.add(price: 101, size: 1, eventTimeNanos: 90 * Self.second)   // closes minute 0
        #expect(builder.add(price: 99, size: 1, eventTimeNanos: 59 * Self.second) == .late)
        // Skipping ahead to minute 3 closes minute 1; minute 2 (no trades) is final too.
        let skipped = builder.add(price: 102, size: 1, eventTimeNanos: 200 * Self.second)
        #expect(Self.closed(skipped)??.startNanos == Self.minute)
        #expect(builder.add(price: 98, size: 1, eventTimeNanos: 150 * Self.second) == .late)
        #expect(builder.current?.startNanos == 3 * Self.minute)
        #expect(builder.current?.tradeCount == 1)
    }

    @Test func closeUpToFinishesQuietMarkets() throws {
        var builder = try CandleBuilder()
        _ = builder.add(price: 100, size: 1, eventTimeNanos: 3 * Self.minute + 5 * Self.second)
        // The interval [3 min, 4 min) has not ended before 4 min.
        #expect(builder.close(upTo: 4 * Self.minute - 1) == nil)
        #expect(builder.current != nil)
        let closed = builder.close(upTo: 4 * Self.minute)
        let candle = try #require(closed)
        #expect(candle.startNanos == 3 * Self.minute && candle.close == 100)
        #expect(builder.current == nil)
        #expect(builder.close(upTo: 10 * Self.minute) == nil)
        // Everything before 10 min is now final.
        #expect(builder.add(price: 1, size: 1, eventTimeNanos: 9 * Self.minute) == .late)
        #expect(builder.add(price: 1, size: 1, eventTimeNanos: 10 * Self.minute) == .added(closed: nil))
    }

    @Test func tiesOpenWithTheFirstArrivalAndCloseWithTheLast() throws {
        var builder = try CandleBuilder(interval: .seconds(1))
        _ = builder.add(price: 10, size: 1, eventTimeNanos: 500)
        _ = builder.add(price: 11, size: 1, eventTimeNanos: 500)
        _ = builder.add(price: 12, size: 1, eventTimeNanos: 500)
        let candle = try #require(builder.current)
        #expect(candle.open == 10 && candle.close == 12 && candle.startNanos == 0)
    }

    @Test func negativeTimesUseFloorIntervals() throws {
        var builder = try CandleBuilder()
        _ = builder.add(price: 1, size: 1, eventTimeNanos: -1)
        #expect(builder.current?.startNanos == -Self.minute)
        // Near Int64.min the interval start does not exist.
        #expect(builder.add(price: 1, size: 1, eventTimeNanos: .min) == .rejected(.invalidTime))
    }

    @Test(arguments: [
        (0.0, 1.0, CandleBuilder.Rejection.invalidPrice), (-1, 1, .invalidPrice), (.nan, 1, .invalidPrice),
        (.infinity, 1, .invalidPrice), (1, -1, .invalidSize), (1, .nan, .invalidSize), (1, .infinity, .invalidSize),
    ])
    func invalidTradesAreRejected(price: Double, size: Double, rejection: CandleBuilder.Rejection) throws {
        var builder = try CandleBuilder()
        #expect(builder.add(price: price, size: size, eventTimeNanos: 0) == .rejected(rejection))
        #expect(builder.current == nil)
        #expect(builder.add(price: 1, size: 0, eventTimeNanos: 0) == .added(closed: nil))
    }

    @Test func intervalMustBePositive() {
        #expect(throws: CandleBuilder.ConfigurationError.intervalNotPositive(.zero)) { try CandleBuilder(interval: .zero) }
        #expect(throws: CandleBuilder.ConfigurationError.self) { try CandleBuilder(interval: .seconds(-60)) }
        #expect(throws: CandleBuilder.ConfigurationError.self) { try CandleBuilder(interval: .seconds(Int64.max)) }
    }

    @Test func addTradeEventUsesItsSize() throws {
        var builder = try CandleBuilder()
        let trade = MarketEvent(
            kind: .trade, exchange: .binance, symbol: Symbol(base: "ETH", quote: "USDT"), price: 3_000,
            size: 0.25, eventTimeNanos: 1, receiveTimeNanos: 2, tradeID: "9", side: .buy
        )
        _ = builder.add(trade)
        #expect(builder.current?.volume == 0.25 && builder.current?.quoteVolume == 750)
    }

    @Test("a closed candle within the horizon is revised by a late trade; beyond it the trade is late")
    func revisionHorizon() throws {
        let minute: Int64 = 60_000_000_000
        var builder = try CandleBuilder(interval: .seconds(60), revisionHorizon: .seconds(120))
        _ = builder.add(price: 10, size: 1, eventTimeNanos: 0)
        _ = builder.add(price: 11, size: 1, eventTimeNanos: minute)
        _ = builder.add(price: 12, size: 1, eventTimeNanos: 2 * minute)
        _ = builder.add(price: 13, size: 1, eventTimeNanos: 3 * minute)  // minute 0 leaves the horizon (3 − 2 > 0)
        guard case .revised(let revised) = builder.add(price: 9, size: 2, eventTimeNanos: minute + 5) else {
            Issue.record("minute 1 is within the horizon")
            return
        }
        #expect(revised.startNanos == minute && revised.tradeCount == 2 && revised.low == 9 && revised.close == 9 && revised.volume == 3)
        #expect(builder.add(price: 9, size: 1, eventTimeNanos: 5) == .late)
        // A minute that had no trade gets its first candle from a late trade.
        var sparse = try CandleBuilder(interval: .seconds(60), revisionHorizon: .seconds(600))
        _ = sparse.add(price: 1, size: 1, eventTimeNanos: 0)
        _ = sparse.add(price: 3, size: 1, eventTimeNanos: 2 * minute)
        guard case .revised(let created) = sparse.add(price: 2, size: 4, eventTimeNanos: minute) else {
            Issue.record("an empty minute within the horizon takes a late trade")
            return
        }
        #expect(created.startNanos == minute && created.tradeCount == 1 && created.volume == 4)
    }

    @Test("trades of one millisecond: open and close follow their ids, whatever order they arrive in")
    func tiesFollowTheOrder() throws {
        let trades = [(price: 5.0, order: Int64(3)), (price: 7.0, order: 1), (price: 6.0, order: 2)]
        var candles: [Candle] = []
        for permutation in [[0, 1, 2], [2, 1, 0], [1, 0, 2]] {
            var builder = try CandleBuilder()
            for index in permutation {
                _ = builder.add(price: trades[index].price, size: 1, eventTimeNanos: 1_000, order: trades[index].order)
            }
            if let candle = builder.current { candles.append(candle) }
        }
        #expect(candles.count == 3)
        #expect(candles.allSatisfy { $0.open == 7 && $0.close == 5 })
    }
}
