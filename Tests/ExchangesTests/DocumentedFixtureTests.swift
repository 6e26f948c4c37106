import CoinfluxCore
import Exchanges
import Testing

/// One exchange's documented frame or REST body (`Fixtures/<exchange>/…`), the adapter that reads
/// it, and what it must give.
struct Documented<Expected: Sendable>: Sendable, CustomTestStringConvertible {
    var adapter: any ExchangeAdapter
    var fixture: String
    /// The REST path the body answers; empty for a WebSocket frame.
    var path = ""
    /// The market a recent-trades page is asked for.
    var symbol: Symbol?
    var expected: Expected

    var testDescription: String { fixture }
}

private let bnbBTC = Symbol(base: "BNB", quote: "BTC")
private let btcKRW = Symbol(base: "BTC", quote: "KRW")
private let btcUSDT = Symbol(base: "BTC", quote: "USDT")
private let xrpKRW = Symbol(base: "XRP", quote: "KRW")

/// Every exchange's documented data frames, REST tickers, trade pages and REST errors, each parsed by its
/// adapter into the events (or the error) the documentation shows. What one exchange does and
/// the others do not stays in that exchange's suite.
@Suite("Documented frames and bodies")
struct DocumentedFixtureTests {
    static let dataFrames: [Documented<[MarketEvent]>] = [
        // Binance `<symbol>@ticker`.
        Documented(adapter: BinanceAdapter(), fixture: "binance/ticker.json", expected: [MarketEvent(
            kind: .ticker, exchange: .binance, symbol: bnbBTC, price: 0.0025, size: 10,
            bestBid: 0.0024, bestBidSize: 10, bestAsk: 0.0026, bestAskSize: 100,
            open24h: 0.0010, high24h: 0.0025, low24h: 0.0010, volume24h: 10_000, quoteVolume24h: 18,
            eventTimeNanos: 1_672_515_782_136_000_000, receiveTimeNanos: receivedAt
        )]),
        // Binance `<symbol>@trade`: `m` true (buyer is maker) → the taker sold.
        Documented(adapter: BinanceAdapter(), fixture: "binance/trade.json", expected: [MarketEvent(
            kind: .trade, exchange: .binance, symbol: bnbBTC, price: 0.001, size: 100,
            eventTimeNanos: 1_672_515_782_136_000_000, receiveTimeNanos: receivedAt,
            tradeID: "12345", sequence: 12_345, side: .sell
        )]),
        // Binance's combined-stream wrapper around a trade with `m` false → the taker bought; time is `T`, not `E`.
        Documented(adapter: BinanceAdapter(), fixture: "binance/combined-trade.json", expected: [MarketEvent(
            kind: .trade, exchange: .binance, symbol: btcUSDT, price: 37_012.34, size: 0.0015,
            eventTimeNanos: 1_700_000_000_123_000_000, receiveTimeNanos: receivedAt,
            tradeID: "3141592653", sequence: 3_141_592_653, side: .buy
        )]),
        Documented(adapter: BinanceAdapter(), fixture: "binance/combined-ticker.json", expected: [MarketEvent(
            kind: .ticker, exchange: .binance, symbol: btcUSDT, price: 37_012.34, size: 0.0015,
            bestBid: 37_012.33, bestBidSize: 1.2, bestAsk: 37_012.34, bestAskSize: 0.51,
            open24h: 36_500.24, high24h: 37_100, low24h: 36_400, volume24h: 25_123.45678,
            quoteVolume24h: 926_812_345.123_456_78,
            eventTimeNanos: 1_700_000_000_200_000_000, receiveTimeNanos: receivedAt
        )]),
        // Bithumb legacy's ticker example; `date`/`time` 20200129 121844 are KST, i.e.
        // 2020-01-29T03:18:44Z = 1580267924 s.
        Documented(adapter: BithumbLegacyAdapter(), fixture: "bithumb-legacy/ticker.json", expected: [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 2_317,
            open24h: 2_302, high24h: 2_344, low24h: 2_272,
            volume24h: 1_222_314.513_557_88, quoteVolume24h: 2_831_915_078.070_657_89,
            eventTimeNanos: 1_580_267_924_000_000_000, receiveTimeNanos: receivedAt
        )]),
        // Bithumb legacy, two trades; `contDtm` 2021-06-02 08:43:34.555058 KST = 1622591014.555058 s
        // UTC, microseconds kept. No trade id; `buySellGb` is not trusted, so the side is unknown.
        Documented(adapter: BithumbLegacyAdapter(), fixture: "bithumb-legacy/transaction.json", expected: [
            MarketEvent(
                kind: .trade, exchange: .bithumb, symbol: btcKRW, price: 10_579_000, size: 0.01,
                eventTimeNanos: 1_622_591_014_555_058_000, receiveTimeNanos: receivedAt, side: .unknown
            ),
            MarketEvent(
                kind: .trade, exchange: .bithumb, symbol: btcKRW, price: 10_580_000, size: 0.020_42,
                eventTimeNanos: 1_622_591_014_555_219_000, receiveTimeNanos: receivedAt, side: .unknown
            ),
        ]),
        // Bithumb v1: `delisting_date` is `""` instead of null; time is `timestamp`.
        Documented(adapter: BithumbAdapter(), fixture: "bithumb/ticker.json", expected: [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            open24h: 99_470_000, high24h: 100_500_000, low24h: 99_100_000,
            volume24h: 1_234.5678, quoteVolume24h: 123_456_789_012.345,
            eventTimeNanos: 1_730_336_862_082_000_000, receiveTimeNanos: receivedAt
        )]),
        // Bithumb v1: `sequential_id` as a string of 17 digits; the epoch-ms `trade_timestamp` wins over the KST strings.
        Documented(adapter: BithumbAdapter(), fixture: "bithumb/trade.json", expected: [MarketEvent(
            kind: .trade, exchange: .bithumb, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            eventTimeNanos: 1_730_336_862_047_000_000, receiveTimeNanos: receivedAt,
            tradeID: "17303368620470000", sequence: 17_303_368_620_470_000, side: .sell
        )]),
        // Bithumb v1 without `trade_timestamp`: `trade_date`/`trade_time` are read as KST,
        // 2024-10-31 10:07:42 KST = 2024-10-31T01:07:42Z = 1730336862 s.
        Documented(adapter: BithumbAdapter(), fixture: "bithumb/trade-kst-only.json", expected: [MarketEvent(
            kind: .trade, exchange: .bithumb, symbol: Symbol(base: "ETH", quote: "KRW"), price: 3_650_000, size: 0.25,
            eventTimeNanos: 1_730_336_862_000_000_000, receiveTimeNanos: receivedAt,
            tradeID: "17303368620470001", sequence: 17_303_368_620_470_001, side: .buy
        )]),
        // Bybit's spot ticker snapshot; time is the message's `ts`, open is `prevPrice24h`.
        Documented(adapter: BybitAdapter(), fixture: "bybit/ticker.json", expected: [MarketEvent(
            kind: .ticker, exchange: .bybit, symbol: btcUSDT, price: 21_109.77,
            open24h: 20_704.93, high24h: 21_426.99, low24h: 20_575,
            volume24h: 6_780.866_843, quoteVolume24h: 141_946_527.229_071_18,
            eventTimeNanos: 1_673_853_746_003_000_000, receiveTimeNanos: receivedAt
        )]),
        // Bybit, one frame, two trades; `S` is the taker's side; ids are numeric strings beyond 2^53.
        Documented(adapter: BybitAdapter(), fixture: "bybit/trade.json", expected: [
            MarketEvent(
                kind: .trade, exchange: .bybit, symbol: btcUSDT, price: 16_578.5, size: 0.001,
                eventTimeNanos: 1_672_304_486_865_000_000, receiveTimeNanos: receivedAt,
                tradeID: "2290000000061666327", sequence: 2_290_000_000_061_666_327, side: .buy
            ),
            MarketEvent(
                kind: .trade, exchange: .bybit, symbol: btcUSDT, price: 16_578.49, size: 0.012,
                eventTimeNanos: 1_672_304_486_866_000_000, receiveTimeNanos: receivedAt,
                tradeID: "2290000000061666328", sequence: 2_290_000_000_061_666_328, side: .sell
            ),
        ]),
        // Coinone's DEFAULT trade: `is_seller_maker` true → the taker bought.
        Documented(adapter: CoinoneAdapter(), fixture: "coinone/trade.json", expected: [MarketEvent(
            kind: .trade, exchange: .coinone, symbol: xrpKRW, price: 688.3, size: 5_000,
            eventTimeNanos: 1_693_560_450_996_000_000, receiveTimeNanos: receivedAt,
            tradeID: "1693560450996001", sequence: 1_693_560_450_996_001, side: .buy
        )]),
        // Coinone's SHORT trade: `sm` false → the taker sold.
        Documented(adapter: CoinoneAdapter(), fixture: "coinone/trade-short.json", expected: [MarketEvent(
            kind: .trade, exchange: .coinone, symbol: xrpKRW, price: 688.3, size: 290.745,
            eventTimeNanos: 1_693_560_563_084_000_000, receiveTimeNanos: receivedAt,
            tradeID: "1693560563084003", sequence: 1_693_560_563_084_003, side: .sell
        )]),
        // Upbit: `sequential_id` 17303368620470000 is above 2^53 (a `Double` cannot hold it) and
        // must survive exactly, as text and number. `ASK` → the taker sold.
        Documented(adapter: UpbitAdapter(), fixture: "upbit/trade-big-id.json", expected: [MarketEvent(
            kind: .trade, exchange: .upbit, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            bestBid: 100_150_000, bestBidSize: 0.012_021_63, bestAsk: 100_151_000, bestAskSize: 0.044_144_11,
            eventTimeNanos: 1_730_336_862_047_000_000, receiveTimeNanos: receivedAt,
            tradeID: "17303368620470000", sequence: 17_303_368_620_470_000, side: .sell
        )]),
    ]

    @Test("a documented data frame gives the documented events", arguments: dataFrames)
    func dataFrame(_ frame: Documented<[MarketEvent]>) throws {
        let parsed = try parse(frame.adapter, Fixture.bytes(frame.fixture))
        #expect(parsed.kind == .data)
        #expect(parsed.events == frame.expected)
    }

    static let restTickers: [Documented<[MarketEvent]>] = [
        // Binance `GET /api/v3/ticker/24hr?symbol=BNBBTC`; time is `closeTime`.
        Documented(adapter: BinanceAdapter(), fixture: "binance/rest-ticker.json", path: "/api/v3/ticker/24hr?symbol=BNBBTC", expected: [MarketEvent(
            kind: .ticker, exchange: .binance, symbol: bnbBTC, price: 4.000002, size: 200,
            bestBid: 4, bestBidSize: 100, bestAsk: 4.000002, bestAskSize: 100,
            open24h: 99, high24h: 100, low24h: 0.1, volume24h: 8_913.3, quoteVolume24h: 15.3,
            eventTimeNanos: 1_499_869_899_040_000_000, receiveTimeNanos: receivedAt
        )]),
        // The Bithumb legacy body does not name its market: it comes from the path.
        Documented(adapter: BithumbLegacyAdapter(), fixture: "bithumb-legacy/rest-ticker.json", path: "/public/ticker/BTC_KRW", expected: [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 28_846_000,
            open24h: 28_775_000, high24h: 29_097_000, low24h: 28_473_000,
            volume24h: 2_049.680_966_96, quoteVolume24h: 58_724_118_015.331_8,
            eventTimeNanos: 1_669_789_200_000_000_000, receiveTimeNanos: receivedAt
        )]),
        Documented(adapter: BithumbAdapter(), fixture: "bithumb/rest-ticker.json", path: "/v1/ticker?markets=KRW-BTC", expected: [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            open24h: 99_470_000, high24h: 100_500_000, low24h: 99_100_000,
            volume24h: 1_234.5678, quoteVolume24h: 123_456_789_012.345,
            eventTimeNanos: 1_730_336_862_082_000_000, receiveTimeNanos: receivedAt
        )]),
        // Bybit `/v5/market/tickers?category=spot` (REST adds best bid/ask); time is `time`.
        Documented(adapter: BybitAdapter(), fixture: "bybit/rest-ticker.json", path: "/v5/market/tickers?category=spot&symbol=BTCUSDT", expected: [MarketEvent(
            kind: .ticker, exchange: .bybit, symbol: btcUSDT, price: 20_533.13,
            bestBid: 20_517.96, bestBidSize: 2, bestAsk: 20_527.77, bestAskSize: 1.862_172,
            open24h: 20_393.48, high24h: 21_128.12, low24h: 20_318.89,
            volume24h: 11_801.277_71, quoteVolume24h: 243_765_620.658_998_66,
            eventTimeNanos: 1_673_859_087_947_000_000, receiveTimeNanos: receivedAt
        )]),
        // Coinone `/public/v2/ticker_new/KRW/BTC`; best prices are the first level of
        // `best_asks`/`best_bids`; time is the ticker's `timestamp`.
        Documented(adapter: CoinoneAdapter(), fixture: "coinone/rest-ticker.json", path: "/public/v2/ticker_new/KRW/BTC", expected: [MarketEvent(
            kind: .ticker, exchange: .coinone, symbol: Symbol(base: "BTC", quote: "KRW"), price: 51_710_000,
            bestBid: 51_710_000, bestBidSize: 0.1083, bestAsk: 51_711_000, bestAskSize: 0.0232,
            open24h: 51_500_000, high24h: 51_980_000, low24h: 51_200_000,
            volume24h: 392.146_803_97, quoteVolume24h: 20_286_836_366.598_1,
            eventTimeNanos: 1_701_140_412_000_000_000, receiveTimeNanos: receivedAt
        )]),
        // Upbit's documented `/v1/ticker` array (the first element), plus a second market.
        Documented(adapter: UpbitAdapter(), fixture: "upbit/rest-ticker.json", path: "/v1/ticker?markets=KRW-BTC,KRW-ETH", expected: [
            MarketEvent(
                kind: .ticker, exchange: .upbit, symbol: btcKRW, price: 8_621_000, size: 0.024_678_02,
                open24h: 8_450_000, high24h: 8_679_000, low24h: 8_445_000,
                volume24h: 27_181.311_370_02, quoteVolume24h: 232_702_901_371.093_08,
                eventTimeNanos: 1_524_047_026_072_000_000, receiveTimeNanos: receivedAt
            ),
            MarketEvent(
                kind: .ticker, exchange: .upbit, symbol: Symbol(base: "ETH", quote: "KRW"), price: 561_500, size: 0.5,
                open24h: 540_000, high24h: 564_000, low24h: 538_000,
                volume24h: 110_223.4, quoteVolume24h: 61_122_455_413.72,
                eventTimeNanos: 1_524_047_026_072_000_000, receiveTimeNanos: receivedAt
            ),
        ]),
    ]

    @Test("a documented REST ticker body gives the documented events", arguments: restTickers)
    func restTicker(_ body: Documented<[MarketEvent]>) throws {
        #expect(try parseREST(body.adapter, path: body.path, Fixture.bytes(body.fixture)) == body.expected)
    }

    static let tradePages: [Documented<TradeHistoryPage>] = [
        // Binance's documented trade list (and a second trade with `isBuyerMaker` false), oldest first.
        Documented(adapter: BinanceAdapter(), fixture: "binance/rest-trades.json", symbol: bnbBTC, expected: TradeHistoryPage(trades: [
            MarketEvent(
                kind: .trade, exchange: .binance, symbol: bnbBTC, price: 4.000001, size: 12,
                eventTimeNanos: 1_499_865_549_590_000_000, receiveTimeNanos: receivedAt,
                tradeID: "28457", sequence: 28_457, side: .sell, isBackfilled: true
            ),
            MarketEvent(
                kind: .trade, exchange: .binance, symbol: bnbBTC, price: 4.000002, size: 0.5,
                eventTimeNanos: 1_499_865_549_590_000_000, receiveTimeNanos: receivedAt,
                tradeID: "28458", sequence: 28_458, side: .buy, isBackfilled: true
            ),
        ])),
        // Upbit, a short page (2 of 500): newest first, and no older cursor.
        Documented(adapter: UpbitAdapter(), fixture: "upbit/rest-trades.json", symbol: btcKRW, expected: TradeHistoryPage(trades: [
            MarketEvent(
                kind: .trade, exchange: .upbit, symbol: btcKRW, price: 100_150_000, size: 0.0004992,
                eventTimeNanos: 1_730_336_862_047_000_000, receiveTimeNanos: receivedAt,
                tradeID: "17303368620470000", sequence: 17_303_368_620_470_000, side: .sell, isBackfilled: true
            ),
            MarketEvent(
                kind: .trade, exchange: .upbit, symbol: btcKRW, price: 100_151_000, size: 0.012,
                eventTimeNanos: 1_730_336_861_990_000_000, receiveTimeNanos: receivedAt,
                tradeID: "17303368619900000", sequence: 17_303_368_619_900_000, side: .buy, isBackfilled: true
            ),
        ], olderCursor: nil)),
    ]

    @Test("a documented recent-trades body gives the documented page", arguments: tradePages)
    func tradePage(_ body: Documented<TradeHistoryPage>) throws {
        let symbol = try #require(body.symbol)
        #expect(try parseTrades(body.adapter, symbol: symbol, Fixture.bytes(body.fixture)) == body.expected)
    }

    static let restErrors: [Documented<String>] = [
        Documented(adapter: BinanceAdapter(), fixture: "binance/rest-error.json", path: "/api/v3/ticker/24hr?symbol=BTCXYZ",
                   expected: "exchange error: -1121: Invalid symbol."),
        Documented(adapter: BithumbLegacyAdapter(), fixture: "bithumb-legacy/rest-error.json", path: "/public/ticker/NOPE_KRW",
                   expected: "exchange error: 5500: Invalid Parameter"),
        Documented(adapter: BybitAdapter(), fixture: "bybit/rest-error.json", path: "/v5/market/tickers?category=spot&symbol=NOPE",
                   expected: "exchange error: 10001: Not supported symbols"),
        Documented(adapter: CoinoneAdapter(), fixture: "coinone/rest-error.json", path: "/public/v2/ticker_new/KRW/NOPE",
                   expected: "exchange error: 107: Parameter value is wrong"),
        Documented(adapter: UpbitAdapter(), fixture: "upbit/rest-error.json", path: "/v1/ticker?markets=KRW-NOPE",
                   expected: "exchange error: 404: Code not found"),
    ]

    @Test("a documented REST error body is rejected with the exchange's code and message", arguments: restErrors)
    func restError(_ body: Documented<String>) throws {
        #expect(expectRESTRejected(body.adapter, path: body.path, try Fixture.bytes(body.fixture))?.reason == body.expected)
    }
}
