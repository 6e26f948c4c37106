import CoinfluxCore
import Testing

@Suite struct PriceStatisticsTests {
    static let second: Int64 = 1_000_000_000

    static func statistics(alpha: Double = 0.1, halfLives: [Duration] = []) throws -> PriceStatistics {
        PriceStatistics(configuration: try PriceStatistics.Configuration(alpha: alpha, halfLives: halfLives))
    }

    static func snapshot(_ outcome: PriceStatistics.Outcome) -> PriceStatistics.Snapshot? {
        if case .applied(let snapshot) = outcome { return snapshot }
        return nil
    }

    /// α = 0.1, prices 100, 110, 99, 99, 120 at increasing times.
    ///
    /// Hand arithmetic: EMA 100 → 0.1·110 + 0.9·100 = 101 → 9.9 + 90.9 = 100.8 → 9.9 + 90.72 =
    /// 100.62 → 12 + 90.558 = 102.558; change (110−100)/100 = 0.1, (99−110)/110 = −0.1, 0,
    /// 21/99 = 0.2121…; deviation 9/101 = 0.0891…, −1.8/100.8 = −0.01785…, −1.62/100.62,
    /// 17.442/102.558. The exact doubles below were printed by python3 running the same
    /// formulas in the same operation order (`a*p + (1-a)*ema`, `(p-prev)/prev`,
    /// `(p-ema)/ema`), so they must match bit for bit.
    @Test func emaChangeAndDeviationSequence() throws {
        var statistics = try Self.statistics()
        #expect(statistics.deviation == nil)
        let expected: [(price: Double, change: Double?, ema: Double, deviation: Double)] = [
            (100.0, nil, 100.0, 0.0),
            (110.0, 0.1, 101.0, 0.0891089108910891),
            (99.0, -0.1, 100.80000000000001, -0.017857142857142967),
            (99.0, 0.0, 100.62000000000002, -0.016100178890876747),
            (120.0, 0.21212121212121213, 102.55800000000002, 0.17006961914233873),
        ]
        for (index, step) in expected.enumerated() {
            let outcome = statistics.update(price: step.price, eventTimeNanos: Int64(index) * Self.second)
            let snapshot = try #require(Self.snapshot(outcome))
            #expect(snapshot.price == step.price)
            #expect(snapshot.changeRate == step.change, "step \(index)")
            #expect(snapshot.ema == step.ema, "step \(index)")
            #expect(snapshot.deviation == step.deviation, "step \(index)")
            #expect(statistics.deviation == step.deviation, "step \(index): the statistics' own deviation")
            #expect(snapshot.eventTimeNanos == Int64(index) * Self.second)
        }
        #expect(statistics.lastPrice == 120)
        #expect(statistics.ema == 102.55800000000002)
        #expect(statistics.appliedCount == 5)
    }

    /// An independent computation: EMA as the weighted sum Σ α(1−α)^(n−i)·P_i + (1−α)^n·P_0,
    /// written differently from the recursive update, must agree to rounding.
    @Test func emaMatchesClosedFormOnALongWalk() throws {
        let alpha = 0.05
        var statistics = try Self.statistics(alpha: alpha)
        var prices: [Double] = []
        var price = 50_000.0
        for index in 0..<500 {
            price *= 1 + 0.001 * Double((index * 7919) % 21 - 10)
            prices.append(price)
            _ = statistics.update(price: price, eventTimeNanos: Int64(index))
        }
        var closedForm = 0.0
        var weight = 1.0
        for index in stride(from: prices.count - 1, through: 1, by: -1) {
            closedForm += alpha * weight * prices[index]
            weight *= 1 - alpha
        }
        closedForm += weight * prices[0]
        let ema = try #require(statistics.ema)
        #expect(abs(ema - closedForm) / closedForm < 1e-12)
    }

    @Test func alphaOneTracksThePrice() throws {
        var statistics = try Self.statistics(alpha: 1)
        _ = statistics.update(price: 10, eventTimeNanos: 1)
        let snapshot = try #require(Self.snapshot(statistics.update(price: 12.5, eventTimeNanos: 2)))
        #expect(snapshot.ema == 12.5)
        #expect(snapshot.deviation == 0)
        #expect(snapshot.changeRate == 0.25) // (12.5 − 10) / 10
    }

    @Test(arguments: [0.0, -0.1, 1.000_000_1, 2, Double.nan, Double.infinity])
    func alphaOutsideZeroOneIsRefused(alpha: Double) {
        #expect(throws: PriceStatistics.ConfigurationError.self) {
            try PriceStatistics.Configuration(alpha: alpha)
        }
    }

    @Test func nonPositiveHalfLifeIsRefused() {
        #expect(throws: PriceStatistics.ConfigurationError.halfLifeNotPositive(.zero)) {
            try PriceStatistics.Configuration(halfLives: [.seconds(1), .zero])
        }
        #expect(throws: PriceStatistics.ConfigurationError.self) {
            try PriceStatistics.Configuration(halfLives: [.seconds(-5)])
        }
    }

    @Test(arguments: [
        (0.0, PriceStatistics.Rejection.notPositive), (-0.0, .notPositive), (-5, .notPositive),
        (Double.nan, .notFinite), (Double.infinity, .notFinite), (-Double.infinity, .notFinite),
    ])
    func invalidPricesAreRejectedAndChangeNothing(price: Double, rejection: PriceStatistics.Rejection) throws {
        var statistics = try Self.statistics()
        // As the first tick: still nothing applied afterwards.
        #expect(statistics.update(price: price, eventTimeNanos: 1) == .rejected(rejection))
        #expect(statistics.lastPrice == nil && statistics.ema == nil && statistics.appliedCount == 0)
        // After a valid tick: state unchanged, and the next valid tick sees the old one.
        _ = statistics.update(price: 100, eventTimeNanos: 2)
        #expect(statistics.update(price: price, eventTimeNanos: 3) == .rejected(rejection))
        #expect(statistics.lastPrice == 100 && statistics.ema == 100 && statistics.lastEventTimeNanos == 2)
        let next = try #require(Self.snapshot(statistics.update(price: 101, eventTimeNanos: 4)))
        #expect(next.changeRate == 0.01) // (101 − 100) / 100 by hand; 1/100 is the double 0.01
    }

    @Test func firstTickSeedsTheEMA() throws {
        var statistics = try Self.statistics()
        let snapshot = try #require(Self.snapshot(statistics.update(price: 42_000.5, eventTimeNanos: 7, tradeID: "1")))
        #expect(snapshot == PriceStatistics.Snapshot(price: 42_000.5, changeRate: nil, ema: 42_000.5, deviation: 0, eventTimeNanos: 7))
    }

    @Test func outOfOrderTicksAreRejected() throws {
        var statistics = try Self.statistics()
        _ = statistics.update(price: 100, eventTimeNanos: 1_000)
        #expect(statistics.update(price: 90, eventTimeNanos: 999) == .rejected(.outOfOrder))
        #expect(statistics.update(price: 90, eventTimeNanos: .min) == .rejected(.outOfOrder))
        #expect(statistics.lastPrice == 100 && statistics.appliedCount == 1)
        // Later ticks are fine again, and compare with the last applied one.
        let snapshot = try #require(Self.snapshot(statistics.update(price: 110, eventTimeNanos: 1_001)))
        #expect(snapshot.changeRate == 0.1)
    }

    @Test func duplicatesAreIgnoredButSameTimeOtherTradesApply() throws {
        var statistics = try Self.statistics()
        _ = statistics.update(price: 100, eventTimeNanos: 5, tradeID: "a")
        // Same time, price and trade: a redelivery.
        #expect(statistics.update(price: 100, eventTimeNanos: 5, tradeID: "a") == .rejected(.duplicate))
        // Same time and price, another trade: applied (change 0, EMA unchanged at 100).
        let sameTime = try #require(Self.snapshot(statistics.update(price: 100, eventTimeNanos: 5, tradeID: "b")))
        #expect(sameTime.changeRate == 0 && sameTime.ema == 100)
        // Same time and trade id but another price: not the same tick, applied.
        let otherPrice = try #require(Self.snapshot(statistics.update(price: 110, eventTimeNanos: 5, tradeID: "b")))
        #expect(otherPrice.changeRate == 0.1 && otherPrice.ema == 101)
        #expect(statistics.appliedCount == 3)
        // Tickers without trade ids: same time and price twice is a duplicate.
        var tickers = try Self.statistics()
        _ = tickers.update(price: 7, eventTimeNanos: 1)
        #expect(tickers.update(price: 7, eventTimeNanos: 1) == .rejected(.duplicate))
        #expect(tickers.update(price: 7, eventTimeNanos: 2).isApplied)
    }

    @Test func updateWithMarketEvent() throws {
        var statistics = try Self.statistics()
        let event = MarketEvent(
            kind: .trade, exchange: .upbit, symbol: Symbol(base: "BTC", quote: "KRW"), price: 143_250_000,
            eventTimeNanos: 10, receiveTimeNanos: 11, tradeID: "17000000000000000001"
        )
        #expect(statistics.update(with: event).isApplied)
        #expect(statistics.update(with: event) == .rejected(.duplicate))
        #expect(statistics.lastTradeID == "17000000000000000001")
    }

    /// Half-life 10 s: after 10 s the old value keeps weight 1/2, after 20 s 1/4.
    /// Hand arithmetic: 100 → 0.5·200 + 0.5·100 = 150 → (same time, α = 0) 150 →
    /// 0.75·100 + 0.25·150 = 112.5. Independent of the EMA α.
    @Test func timeDecayAverages() throws {
        var statistics = try Self.statistics(halfLives: [.seconds(10), .seconds(20)])
        _ = statistics.update(price: 100, eventTimeNanos: 0)
        #expect(statistics.timeDecayAverages.map(\.value) == [100, 100])
        _ = statistics.update(price: 200, eventTimeNanos: 10 * Self.second)
        let first = try #require(statistics.timeDecayAverages[0].value)
        #expect(abs(first - 150) < 1e-12)
        // Half-life 20 s over 10 s: α = 1 − 2^(−1/2) = 0.2928932188134524 (python3:
        // 1 - 2**-0.5), so 100 + α·100.
        let second = try #require(statistics.timeDecayAverages[1].value)
        #expect(abs(second - 129.28932188134524) < 1e-9)
        _ = statistics.update(price: 300, eventTimeNanos: 10 * Self.second, tradeID: "other")
        #expect(abs((statistics.timeDecayAverages[0].value ?? 0) - 150) < 1e-12)
        _ = statistics.update(price: 100, eventTimeNanos: 30 * Self.second)
        #expect(abs((statistics.timeDecayAverages[0].value ?? 0) - 112.5) < 1e-12)
        #expect(statistics.timeDecayAverages[0].halfLifeNanos == 10 * Self.second)
    }

    @Test func timeDecayAverageOnItsOwnIgnoresOlderSamples() throws {
        var average = try #require(TimeDecayAverage(halfLifeNanos: 1_000))
        average.add(10, atNanos: 5_000)
        average.add(99, atNanos: 4_000)
        #expect(average.value == 10 && average.lastTimeNanos == 5_000)
        #expect(TimeDecayAverage(halfLifeNanos: 0) == nil)
    }
}

extension PriceStatistics.Outcome {
    fileprivate var isApplied: Bool {
        if case .applied = self { return true }
        return false
    }
}
