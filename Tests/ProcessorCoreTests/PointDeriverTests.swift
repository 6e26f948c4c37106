import CoinfluxCore
import Testing

@testable import ProcessorCore

/// The points of the public schema, derived from plain events.
@Suite("Point derivation")
struct PointDeriverTests {
    static let btcUSDT = Symbol(base: "BTC", quote: "USDT")
    static let btcKRW = Symbol(base: "BTC", quote: "KRW")
    static let usdtKRW = Symbol(base: "USDT", quote: "KRW")
    static let second: Int64 = 1_000_000_000

    static func settings(halfLives: [Duration] = []) throws -> PointDeriver.Settings {
        PointDeriver.Settings(statistics: try PriceStatistics.Configuration(alpha: 0.5, halfLives: halfLives))
    }

    static func ticker(_ exchange: Exchange, _ symbol: Symbol, _ price: Double, at seconds: Int64, bid: Double? = nil) -> MarketEvent {
        MarketEvent(kind: .ticker, exchange: exchange, symbol: symbol, price: price, bestBid: bid,
                    eventTimeNanos: seconds * second, receiveTimeNanos: seconds * second)
    }

    static func trade(_ price: Double, size: Double, at nanos: Int64, id: String?, side: MarketEvent.TakerSide = .buy) -> MarketEvent {
        MarketEvent(kind: .trade, exchange: .upbit, symbol: btcKRW, price: price, size: size,
                    eventTimeNanos: nanos, receiveTimeNanos: nanos, tradeID: id, side: side)
    }

    /// Applies `events` with emit on and returns the lines.
    static func lines(_ events: [MarketEvent], deriver: inout PointDeriver, counts: inout DerivationCounts) -> [String] {
        var buffer = LineProtocol.Buffer()
        for event in events {
            deriver.apply(event, emit: true, into: &buffer, counts: &counts)
        }
        return String(decoding: buffer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("ticker lines: change rate, EMA (α = 0.5) and deviation; first tick has no change rate")
    func tickerLines() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        let lines = Self.lines([
            Self.ticker(.binance, Self.btcUSDT, 100, at: 1, bid: 99.5),
            Self.ticker(.binance, Self.btcUSDT, 110, at: 2),
        ], deriver: &deriver, counts: &counts)
        // EMA_2 = 0.5·110 + 0.5·100 = 105; change = 10/100 = 0.1; deviation = 5/105.
        #expect(lines == [
            "ticker,base=BTC,exchange=binance,quote=USDT,symbol=BTC-USDT price=100.0,ema=100.0,deviation=0.0,bid=99.5 1000000000",
            "ticker,base=BTC,exchange=binance,quote=USDT,symbol=BTC-USDT price=110.0,change_rate=0.1,ema=105.0,deviation=\(5.0 / 105.0) 2000000000",
        ])
        #expect(counts.tickers == 2)
        #expect(deriver.seriesCount == 1)
    }

    @Test("half-life EMAs become ema_<half-life> fields")
    func halfLifeFields() throws {
        var deriver = PointDeriver(settings: try Self.settings(halfLives: [.seconds(30), .seconds(300)]))
        var counts = DerivationCounts()
        let lines = Self.lines([Self.ticker(.bybit, Self.btcUSDT, 100, at: 1)], deriver: &deriver, counts: &counts)
        #expect(lines.first?.contains("ema_30s=100.0,ema_5m=100.0") == true)
        #expect(PointDeriver.halfLifeLabel(nanos: 3_600_000_000_000) == "1h")
        #expect(PointDeriver.halfLifeLabel(nanos: 250_000_000) == "250ms")
        #expect(PointDeriver.halfLifeLabel(nanos: 90 * Self.second) == "90s")
    }

    @Test("premium of a KRW venue over the reference, with the USDT-KRW rate")
    func premium() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        let lines = Self.lines([
            Self.ticker(.upbit, Self.btcKRW, 143_000_000, at: 1),  // no reference yet: no premium
            Self.ticker(.binance, Self.btcUSDT, 100_000, at: 2),
            Self.ticker(.upbit, Self.usdtKRW, 1_400, at: 3),
            Self.ticker(.upbit, Self.btcKRW, 143_000_000, at: 4),
        ], deriver: &deriver, counts: &counts)
        let premiums = lines.filter { $0.hasPrefix("premium,") }
        // 143 000 000 / (100 000 · 1 400) − 1 = 0.02142857142857139 (in doubles).
        let expected = 143_000_000.0 / (100_000.0 * 1_400.0) - 1
        #expect(premiums == [
            "premium,base=BTC,basis=usdt,exchange=upbit,quote=KRW,reference=binance,symbol=BTC-KRW premium=\(expected),price=143000000.0,reference_price=100000.0,krw_per_usdt=1400.0 4000000000",
        ])
        #expect(counts.premiums == 1)
    }

    @Test("with an FX rate: the fx-basis premium beside the usdt one, the tether premium of USDT-KRW, and 1 + fx = (1 + usdt)(1 + tether)")
    func fxBasisAndTetherPremium() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        var buffer = LineProtocol.Buffer()
        // Quoted by the source an hour before the read, read at second 2.
        let fx = FXRate(krwPerUSD: 1_380, quotedNanos: -3_598 * Self.second, observedNanos: 2 * Self.second)
        deriver.apply(.fx(fx), emit: true, into: &buffer, counts: &counts)
        #expect(buffer.bytes.isEmpty)  // a rate has no point of its own
        let lines = Self.lines([
            Self.ticker(.binance, Self.btcUSDT, 100_000, at: 2),
            Self.ticker(.upbit, Self.usdtKRW, 1_400, at: 3),
            Self.ticker(.upbit, Self.btcKRW, 143_000_000, at: 4),
        ], deriver: &deriver, counts: &counts).filter { $0.hasPrefix("premium,") }
        let tether = 1_400.0 / 1_380.0 - 1
        let usdt = 143_000_000.0 / (100_000.0 * 1_400.0) - 1
        let fxBasis = 143_000_000.0 / (100_000.0 * 1_380.0) - 1
        #expect(lines == [
            "premium,base=USDT,basis=tether,exchange=upbit,quote=KRW,symbol=USDT-KRW premium=\(tether),price=1400.0,krw_per_usd=1380.0,fx_age_seconds=3601.0 3000000000",
            "premium,base=BTC,basis=usdt,exchange=upbit,quote=KRW,reference=binance,symbol=BTC-KRW premium=\(usdt),price=143000000.0,reference_price=100000.0,krw_per_usdt=1400.0 4000000000",
            "premium,base=BTC,basis=fx,exchange=upbit,quote=KRW,reference=binance,symbol=BTC-KRW premium=\(fxBasis),price=143000000.0,reference_price=100000.0,krw_per_usd=1380.0,fx_age_seconds=3602.0 4000000000",
        ])
        #expect(abs((1 + fxBasis) - (1 + usdt) * (1 + tether)) < 1e-12)
        #expect(counts.premiums == 3)
    }

    @Test("an FX rate read longer ago than processor.fx_rate_max_age prices nothing; an older read does not replace a newer one")
    func staleFXRate() throws {
        var settings = try Self.settings()
        settings.maxFXRateAge = .seconds(60)
        var deriver = PointDeriver(settings: settings)
        var counts = DerivationCounts()
        deriver.updateFXRate(FXRate(krwPerUSD: 1_380, quotedNanos: 0, observedNanos: 10 * Self.second))
        deriver.updateFXRate(FXRate(krwPerUSD: 1_000, quotedNanos: 0, observedNanos: 5 * Self.second))  // older read: ignored
        let lines = Self.lines([
            Self.ticker(.binance, Self.btcUSDT, 100_000, at: 10),
            Self.ticker(.upbit, Self.usdtKRW, 1_400, at: 70),  // 60 s after the read: fresh
            Self.ticker(.binance, Self.btcUSDT, 100_000, at: 71),
            Self.ticker(.upbit, Self.usdtKRW, 1_400, at: 71),  // 61 s: stale
            Self.ticker(.upbit, Self.btcKRW, 143_000_000, at: 71),
        ], deriver: &deriver, counts: &counts).filter { $0.hasPrefix("premium,") }
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("premium,base=USDT,basis=tether,") && lines[0].contains("krw_per_usd=1380.0"))
        #expect(lines[1].hasPrefix("premium,base=BTC,basis=usdt,"))
    }

    @Test("trades: side tag, trade id, same-millisecond trades keep distinct timestamps; candles close by event time; without a revision horizon a late trade is counted")
    func tradesAndCandles() throws {
        var settings = try Self.settings()
        settings.candleRevisionHorizon = .zero
        var deriver = PointDeriver(settings: settings)
        var counts = DerivationCounts()
        let minute = 60 * Self.second
        let base = 1_700_000_040 * Self.second  // a minute boundary
        let lines = Self.lines([
            Self.trade(100, size: 1, at: base + 5_000_000, id: "1001"),
            Self.trade(102, size: 2, at: base + 5_000_000, id: "1002", side: .sell),
            Self.trade(99, size: 1, at: base + 30 * Self.second, id: "1003"),
            Self.trade(101, size: 3, at: base + minute + 1, id: "1004"),  // closes the first minute
            Self.trade(98, size: 1, at: base + 59 * Self.second, id: "1005"),  // late: its minute is written
        ], deriver: &deriver, counts: &counts)
        let trades = lines.filter { $0.hasPrefix("trade,") }
        #expect(trades.count == 5)
        #expect(trades[0] == "trade,base=BTC,exchange=upbit,quote=KRW,side=buy,symbol=BTC-KRW price=100.0,size=1.0,trade_id=\"1001\" \(base + 5_000_000 + 1001)")
        #expect(trades[1].hasSuffix(" \(base + 5_000_000 + 1002)"))
        #expect(trades[1].contains(",side=sell,"))
        #expect(Set(trades.map { $0.split(separator: " ").last! }).count == 5)
        #expect(lines.filter { $0.hasPrefix("candle_1m,") } == [
            "candle_1m,base=BTC,exchange=upbit,quote=KRW,symbol=BTC-KRW open=100.0,high=102.0,low=99.0,close=99.0,volume=4.0,quote_volume=403.0,trades=3i,complete=true \(base)",
        ])
        #expect(counts.lateTrades == 1)
        #expect(counts.candles == 1)
    }

    @Test("within the revision horizon a late trade rewrites its minute's candle; a trade seen twice is dropped")
    func lateTradesReviseCandles() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        let minute = 60 * Self.second
        let base = 1_700_000_040 * Self.second
        let lines = Self.lines([
            Self.trade(100, size: 1, at: base + 5_000_000, id: "1001"),
            Self.trade(101, size: 3, at: base + minute + 1, id: "1004"),  // closes the first minute
            Self.trade(98, size: 1, at: base + 59 * Self.second, id: "1003"),  // recovered late: revises it
            Self.trade(98, size: 1, at: base + 59 * Self.second, id: "1003"),  // the same trade again: dropped
        ], deriver: &deriver, counts: &counts)
        #expect(lines.filter { $0.hasPrefix("trade,") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("candle_1m,") } == [
            "candle_1m,base=BTC,exchange=upbit,quote=KRW,symbol=BTC-KRW open=100.0,high=100.0,low=100.0,close=100.0,volume=1.0,quote_volume=100.0,trades=1i,complete=true \(base)",
            "candle_1m,base=BTC,exchange=upbit,quote=KRW,symbol=BTC-KRW open=100.0,high=100.0,low=98.0,close=98.0,volume=2.0,quote_volume=198.0,trades=2i,complete=true \(base)",
        ])
        #expect(counts.revisedCandles == 1)
        #expect(counts.duplicateTrades == 1)
        #expect(counts.lateTrades == 0)
    }

    @Test("a gap left unrepaired writes its gap point and marks the candles of its minutes incomplete, written or not")
    func unrepairedGapMarksCandles() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        let minute = 60 * Self.second
        let base = 1_700_000_040 * Self.second
        var buffer = LineProtocol.Buffer()
        for event in [Self.trade(100, size: 1, at: base + 1, id: "1"), Self.trade(101, size: 1, at: base + minute + 1, id: "2")] {
            deriver.apply(event, emit: true, into: &buffer, counts: &counts)
        }
        buffer.removeAll()
        let gap = SeriesGap(channel: .trade, exchange: .upbit, symbol: Self.btcKRW, cause: .connection, startNanos: base + 30 * Self.second,
                            endNanos: base + minute + 10 * Self.second, recovered: 3, repair: .partly, recordedNanos: base + 2 * minute)
        deriver.apply(MarketRecord.gap(gap), emit: true, into: &buffer, counts: &counts)
        let lines = String(decoding: buffer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "gap,base=BTC,cause=connection,channel=trade,exchange=upbit,quote=KRW,symbol=BTC-KRW end=\(base + minute + 10 * Self.second)i,duration=40.0,recovered=3i,repaired=\"partly\" \(base + 30 * Self.second)")
        #expect(lines.dropFirst().map { $0.hasSuffix("complete=false \(base)") } == [true], "the written first minute again, incomplete")
        // The open minute is written incomplete when it closes.
        buffer.removeAll()
        deriver.apply(Self.trade(102, size: 1, at: base + 2 * minute, id: "3"), emit: true, into: &buffer, counts: &counts)
        #expect(String(decoding: buffer.bytes, as: UTF8.self).contains("complete=false \(base + minute)"))
        #expect(counts.gaps == 1)
    }

    @Test("trade timestamps: numeric ids, hashed ids, sequences; negative event times floor")
    func tradeTimestamps() {
        let millisecond: Int64 = 1_700_000_000_123_000_000
        #expect(PointDeriver.tradeTimestamp(eventTimeNanos: millisecond + 456_789, tradeID: "42", sequence: nil) == millisecond + 42)
        #expect(PointDeriver.tradeTimestamp(eventTimeNanos: millisecond, tradeID: "12345678901", sequence: nil) == millisecond + 678_901)
        #expect(PointDeriver.tradeTimestamp(eventTimeNanos: millisecond, tradeID: nil, sequence: 7) == millisecond + 7)
        let hashedA = PointDeriver.tradeTimestamp(eventTimeNanos: millisecond, tradeID: "a1b2-c3", sequence: nil)
        let hashedB = PointDeriver.tradeTimestamp(eventTimeNanos: millisecond, tradeID: "a1b2-c4", sequence: nil)
        #expect(hashedA != hashedB)
        #expect((millisecond..<millisecond + 1_000_000).contains(hashedA))
        #expect(PointDeriver.tradeTimestamp(eventTimeNanos: -1, tradeID: "5", sequence: nil) == -1_000_000 + 5)
    }

    @Test("warm-up (emit off) builds the same state as a run that wrote, and writes nothing")
    func warmUpMatchesWrittenRun() throws {
        let events = (0..<50).map { Self.ticker(.binance, Self.btcUSDT, 100 + Double($0 % 7), at: Int64($0)) }
        var written = PointDeriver(settings: try Self.settings())
        var warmed = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        _ = Self.lines(events, deriver: &written, counts: &counts)
        var buffer = LineProtocol.Buffer()
        for event in events {
            warmed.apply(event, emit: false, into: &buffer, counts: &counts)
        }
        #expect(buffer.lineCount == 0)
        #expect(warmed.statistics(exchange: .binance, symbol: Self.btcUSDT)?.ema == written.statistics(exchange: .binance, symbol: Self.btcUSDT)?.ema)
    }

    @Test("invalid, out-of-order and duplicate ticks write nothing and are counted")
    func rejectedTicks() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        let lines = Self.lines([
            Self.ticker(.binance, Self.btcUSDT, 100, at: 5),
            Self.ticker(.binance, Self.btcUSDT, 100, at: 5),  // duplicate redelivery
            Self.ticker(.binance, Self.btcUSDT, 101, at: 4),  // older
            Self.ticker(.binance, Self.btcUSDT, -1, at: 6),
            Self.ticker(.binance, Self.btcUSDT, .nan, at: 7),
        ], deriver: &deriver, counts: &counts)
        #expect(lines.count == 1)
        #expect(counts.outOfOrder == 1)
        #expect(counts.invalidPrices == 2)
    }

    @Test("trades in the first and last minute of Int64 time neither trap nor wrap: the last is written at its own time")
    func tradesAtTheEdgesOfTime() throws {
        var deriver = PointDeriver(settings: try Self.settings())
        var counts = DerivationCounts()
        let first = Int64.min + 1_000
        let last: Int64 = 9_223_372_036_854_775_000
        let lines = Self.lines([Self.trade(5, size: 1, at: first, id: "3"), Self.trade(5, size: 1, at: last, id: "999999"),
                                Self.trade(5, size: 1, at: last, id: "999999")], deriver: &deriver, counts: &counts)
        #expect(counts.invalidPrices == 1, "the first minute has no candle minute: rejected and counted")
        #expect(counts.duplicateTrades == 1, "the repeated id at the end of time is still recognised")
        #expect(lines == lines.filter { $0.hasSuffix(" \(last)") }, "\(lines)")
        #expect(lines.count == 1)
        #expect(PointDeriver.tradeTimestamp(eventTimeNanos: first, tradeID: "3", sequence: nil) == first)
        #expect(PointDeriver.tradeTimestamp(eventTimeNanos: last, tradeID: "999999", sequence: nil) == last)
    }
}
