import CoinfluxCore
import Testing

@testable import ProcessorCore

/// `orderbook` and `premium_executable` points from the books of `market.books`.
@Suite struct BookPointTests {
    static let second: Int64 = 1_000_000_000

    static func book(_ exchange: Exchange, _ symbol: String, bids: [(Double, Double)], asks: [(Double, Double)], at nanos: Int64) -> MarketRecord {
        .book(BookUpdate(kind: .snapshot, exchange: exchange, symbol: Symbol(normalized: symbol) ?? Symbol(base: "X", quote: "Y"),
                         bids: bids.map { BookLevel(price: $0.0, size: $0.1) }, asks: asks.map { BookLevel(price: $0.0, size: $0.1) },
                         updateID: nil, eventTimeNanos: nanos, receiveTimeNanos: nanos))
    }

    static func lines(_ records: [MarketRecord], _ deriver: inout PointDeriver, _ counts: inout DerivationCounts, emit: Bool = true) -> [String] {
        var buffer = LineProtocol.Buffer()
        for record in records { deriver.apply(record, emit: emit, into: &buffer, counts: &counts) }
        return String(decoding: buffer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// One point per series and second of event time; the KRW venue's with its executable premium.
    @Test func sampledOrderbookPointsAndTheExecutablePremium() throws {
        var deriver = PointDeriver(settings: PointDeriver.Settings(statistics: try PriceStatistics.Configuration(), premiumSizeKRW: 10_000))
        var counts = DerivationCounts()
        deriver.updateExchangeRate(krwPerUSDT: 1_250, eventTimeNanos: 0)
        let reference = Self.book(.binance, "BTC-USDT", bids: [(1.00, 3), (0.99, 10)], asks: [(1.01, 3), (1.02, 10)], at: Self.second)
        let krw = Self.book(.upbit, "BTC-KRW", bids: [(1_300, 5), (1_290, 10)], asks: [(1_310, 5), (1_320, 10)], at: Self.second + 1)
        let sameSecond = Self.book(.upbit, "BTC-KRW", bids: [(1_300, 6)], asks: [(1_310, 6)], at: Self.second + 500_000_000)
        let lines = Self.lines([reference, krw, sameSecond], &deriver, &counts)
        #expect(lines.count == 3)
        #expect(counts.orderbooks == 2 && counts.executablePremiums == 1)
        // The reference book: mid 1.005, spread 0.01/1.005 · 10 000 bps; ±50 bps of the mid holds the best level of each side.
        let mid = 1.005
        #expect(lines[0] == "orderbook,base=BTC,exchange=binance,quote=USDT,symbol=BTC-USDT bid=1.0,bid_size=3.0,ask=1.01,ask_size=3.0,mid=\(mid),spread_bps=\((1.01 - 1.0) / mid * 10_000),bid_depth_10bps=0.0,ask_depth_10bps=0.0,bid_depth_50bps=3.0,ask_depth_50bps=\(1.01 * 3),imbalance=\((3.0 - 1.01 * 3) / (3.0 + 1.01 * 3)),bid_levels=2i,ask_levels=2i 1000000000")
        #expect(lines[1].hasPrefix("orderbook,base=BTC,exchange=upbit,quote=KRW,symbol=BTC-KRW bid=1300.0,bid_size=5.0,ask=1310.0,"))
        // The premium, as OrderBookTests works it out by hand for the same books.
        let premium = try #require(ExecutablePremium(
            krwBook: OrderBook(bids: [BookLevel(price: 1_300, size: 5), BookLevel(price: 1_290, size: 10)],
                               asks: [BookLevel(price: 1_310, size: 5), BookLevel(price: 1_320, size: 10)]),
            referenceBook: OrderBook(bids: [BookLevel(price: 1.00, size: 3), BookLevel(price: 0.99, size: 10)],
                                     asks: [BookLevel(price: 1.01, size: 3), BookLevel(price: 1.02, size: 10)]),
            krwPerDollar: 1_250, sizeKRW: 10_000))
        let buy = try #require(premium.buyInKorea.premium)
        let sell = try #require(premium.sellInKorea.premium)
        #expect(lines[2] == "premium_executable,base=BTC,basis=usdt,exchange=upbit,quote=KRW,reference=binance,symbol=BTC-KRW size_krw=10000.0,buy_premium=\(buy),sell_premium=\(sell),buy_krw_fill=1.0,buy_reference_fill=1.0,sell_krw_fill=1.0,sell_reference_fill=1.0,krw_per_usdt=1250.0 1000000001")
    }

    /// With an FX rate read recently, a second `premium_executable` point, converted at KRW per USD.
    @Test func executablePremiumOnTheFXBasis() throws {
        var deriver = PointDeriver(settings: PointDeriver.Settings(statistics: try PriceStatistics.Configuration(), premiumSizeKRW: 10_000))
        var counts = DerivationCounts()
        deriver.updateExchangeRate(krwPerUSDT: 1_250, eventTimeNanos: 0)
        deriver.updateFXRate(FXRate(krwPerUSD: 1_200, quotedNanos: -Self.second, observedNanos: 0))
        let reference = Self.book(.binance, "BTC-USDT", bids: [(1.00, 3)], asks: [(1.01, 3)], at: Self.second)
        let krw = Self.book(.upbit, "BTC-KRW", bids: [(1_300, 5)], asks: [(1_310, 5)], at: Self.second + 1)
        let lines = Self.lines([reference, krw], &deriver, &counts).filter { $0.hasPrefix("premium_executable,") }
        let usdt = try #require(ExecutablePremium(krwBook: OrderBook(bids: [BookLevel(price: 1_300, size: 5)], asks: [BookLevel(price: 1_310, size: 5)]),
                                                  referenceBook: OrderBook(bids: [BookLevel(price: 1.00, size: 3)], asks: [BookLevel(price: 1.01, size: 3)]),
                                                  krwPerDollar: 1_250, sizeKRW: 10_000))
        let fx = try #require(ExecutablePremium(krwBook: OrderBook(bids: [BookLevel(price: 1_300, size: 5)], asks: [BookLevel(price: 1_310, size: 5)]),
                                                referenceBook: OrderBook(bids: [BookLevel(price: 1.00, size: 3)], asks: [BookLevel(price: 1.01, size: 3)]),
                                                krwPerDollar: 1_200, sizeKRW: 10_000))
        let usdtBuy = try #require(usdt.buyInKorea.premium)
        let (fxBuy, fxSell) = (try #require(fx.buyInKorea.premium), try #require(fx.sellInKorea.premium))
        #expect(lines.count == 2)
        #expect(lines.first?.contains(",basis=usdt,") == true && lines.first?.contains("buy_premium=\(usdtBuy),") == true)
        #expect(lines.last == "premium_executable,base=BTC,basis=fx,exchange=upbit,quote=KRW,reference=binance,symbol=BTC-KRW size_krw=10000.0,buy_premium=\(fxBuy),sell_premium=\(fxSell),buy_krw_fill=\(fx.buyInKorea.krwFill),buy_reference_fill=\(fx.buyInKorea.referenceFill),sell_krw_fill=\(fx.sellInKorea.krwFill),sell_reference_fill=\(fx.sellInKorea.referenceFill),krw_per_usd=1200.0,fx_age_seconds=2.000000001 1000000001")
        #expect(counts.executablePremiums == 2)
    }

    /// Replays write the same points; warm-up keeps the interval so no point repeats after it;
    /// no premium without a fresh reference book; older books are left out.
    @Test func warmupStaleReferencesAndOldBooks() throws {
        var deriver = PointDeriver(settings: PointDeriver.Settings(statistics: try PriceStatistics.Configuration(), maxReferenceAge: .seconds(5)))
        var counts = DerivationCounts()
        deriver.updateExchangeRate(krwPerUSDT: 1_300, eventTimeNanos: 0)
        let reference = Self.book(.binance, "BTC-USDT", bids: [(50_000, 1)], asks: [(50_001, 1)], at: Self.second)
        let warm = Self.book(.upbit, "BTC-KRW", bids: [(65_000_000, 1)], asks: [(65_010_000, 1)], at: 2 * Self.second)
        #expect(Self.lines([reference, warm], &deriver, &counts, emit: false).isEmpty)
        // Same second as the warm-up's last book: no point; the next second: one, with a premium.
        let sameSecond = Self.book(.upbit, "BTC-KRW", bids: [(65_000_000, 2)], asks: [(65_010_000, 1)], at: 2 * Self.second + 1)
        let next = Self.book(.upbit, "BTC-KRW", bids: [(65_000_000, 2)], asks: [(65_010_000, 1)], at: 3 * Self.second)
        let written = Self.lines([sameSecond, next], &deriver, &counts)
        #expect(written.map { $0.prefix(while: { $0 != "," }) } == ["orderbook", "premium_executable"])
        // Ten seconds later the reference book is older than 5 s: an orderbook point only.
        let late = Self.book(.upbit, "BTC-KRW", bids: [(65_000_000, 2)], asks: [(65_010_000, 1)], at: 12 * Self.second)
        #expect(Self.lines([late], &deriver, &counts).map { $0.prefix(while: { $0 != "," }) } == ["orderbook"])
        let older = Self.book(.upbit, "BTC-KRW", bids: [(1, 1)], asks: [(2, 1)], at: 11 * Self.second)
        #expect(Self.lines([older], &deriver, &counts).isEmpty && counts.outOfOrder == 1)
    }
}
