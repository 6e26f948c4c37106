import CoinfluxCore
import Exchanges
import Testing

@Suite("Symbol mapping and registry")
struct SymbolMappingTests {
    /// Each adapter's spelling of BTC-USDT / BTC-KRW.
    @Test func exchangeSpellings() {
        let btcUSDT = Symbol(base: "BTC", quote: "USDT")
        let btcKRW = Symbol(base: "BTC", quote: "KRW")
        #expect(BinanceAdapter().exchangeSymbol(for: btcUSDT) == "btcusdt")
        #expect(BybitAdapter().exchangeSymbol(for: btcUSDT) == "BTCUSDT")
        #expect(UpbitAdapter().exchangeSymbol(for: btcKRW) == "KRW-BTC")
        #expect(BithumbAdapter().exchangeSymbol(for: btcKRW) == "KRW-BTC")
        #expect(BithumbLegacyAdapter().exchangeSymbol(for: btcKRW) == "BTC_KRW")
        #expect(CoinoneAdapter().exchangeSymbol(for: btcKRW) == "KRW/BTC")
    }

    /// Normalized → exchange spelling → normalized gives the symbol back, for every adapter.
    @Test(arguments: ["BTC-USDT", "ETH-BTC", "BTC-KRW", "USDT-KRW", "FDUSD-USDT", "1INCH-USDT", "SOL-USDC", "PEPE-EUR"])
    func roundTrip(normalized: String) throws {
        let symbol = try #require(Symbol(normalized: normalized))
        for adapter in ExchangeRegistry.all {
            let code = adapter.exchangeSymbol(for: symbol)
            #expect(adapter.symbol(forExchangeSymbol: code) == symbol, "\(adapter.exchange) \(code)")
        }
    }

    /// Letter case of the exchange spelling does not matter.
    @Test func caseInsensitive() {
        #expect(BinanceAdapter().symbol(forExchangeSymbol: "BTCUSDT") == Symbol(base: "BTC", quote: "USDT"))
        #expect(BybitAdapter().symbol(forExchangeSymbol: "ethbtc") == Symbol(base: "ETH", quote: "BTC"))
        #expect(UpbitAdapter().symbol(forExchangeSymbol: "krw-btc") == Symbol(base: "BTC", quote: "KRW"))
    }

    /// Concatenated codes split before the longest known quote asset.
    @Test func concatenatedSplits() {
        let binance = BinanceAdapter()
        #expect(binance.symbol(forExchangeSymbol: "FDUSDUSDT") == Symbol(base: "FDUSD", quote: "USDT"))
        #expect(binance.symbol(forExchangeSymbol: "BTCFDUSD") == Symbol(base: "BTC", quote: "FDUSD"))
        #expect(binance.symbol(forExchangeSymbol: "WBETHETH") == Symbol(base: "WBETH", quote: "ETH"))
        #expect(binance.symbol(forExchangeSymbol: "USDTTRY") == Symbol(base: "USDT", quote: "TRY"))
    }

    @Test(arguments: [
        ("binance", "BTCXYZ"), ("binance", "USDT"), ("binance", ""), ("binance", "BTC-USDT"), ("binance", "BTC USDT"),
        ("binance", "ÄBCUSDT"), ("binance", String(repeating: "A", count: 21) + "USDT"),
        ("bybit", "BTCUSD"), ("upbit", "KRW"), ("upbit", "KRW-"), ("upbit", "-BTC"), ("upbit", "KRW-BTC-X"),
        ("upbit", "KRW_BTC"), ("bithumb", "KRW-B!C"), ("bithumb-legacy", "BTCKRW"), ("bithumb-legacy", "BTC_"),
        ("bithumb-legacy", "BTC_KRW_X"), ("coinone", "KRW"), ("coinone", "KRW/"), ("coinone", "KRW-BTC"),
    ])
    func unmappable(folder: String, code: String) {
        #expect(MalformedFrameTests.adapter(folder).symbol(forExchangeSymbol: code) == nil)
    }

    @Test func registry() {
        #expect(ExchangeRegistry.adapter(for: .binance) is BinanceAdapter)
        #expect(ExchangeRegistry.adapter(for: .upbit) is UpbitAdapter)
        #expect(ExchangeRegistry.adapter(for: .bybit) is BybitAdapter)
        #expect(ExchangeRegistry.adapter(for: .coinone) is CoinoneAdapter)
        #expect(ExchangeRegistry.adapter(for: .bithumb) is BithumbAdapter)
        #expect(ExchangeRegistry.adapter(for: .bithumb, bithumbAPI: .legacy) is BithumbLegacyAdapter)
        #expect(ExchangeRegistry.adapter(for: .upbit, bithumbAPI: .legacy) is UpbitAdapter)
        for exchange in Exchange.allCases {
            #expect(ExchangeRegistry.adapter(for: exchange).exchange == exchange)
        }
        #expect(ExchangeRegistry.all.map(\.exchange) == [.binance, .upbit, .bybit, .bithumb, .coinone, .bithumb])
        #expect(BithumbAPI(rawValue: "legacy") == .legacy)
        #expect(BithumbAPI(rawValue: "v1") == .v1)
    }
}

/// KST wall-clock strings (Bithumb legacy `contDtm`) to UTC nanoseconds, checked through the adapter.
@Suite("KST timestamps")
struct KoreanTimeTests {
    static func tradeTime(_ contDtm: String) throws(FrameError) -> Int64? {
        let frame = #"{"type":"transaction","content":{"list":[{"symbol":"BTC_KRW","buySellGb":"1","contPrice":"1","contQty":"1","contAmt":"1","contDtm":"\#(contDtm)","updn":"up"}]}}"#
        return try parse(BithumbLegacyAdapter(), text: frame).events.first?.eventTimeNanos
    }

    /// Expected values: the UTC instant nine hours earlier, as epoch nanoseconds.
    @Test(arguments: [
        ("2021-06-02 08:43:34.555058", Int64(1_622_591_014_555_058_000)),
        ("2021-06-02 08:43:34", Int64(1_622_591_014_000_000_000)),
        ("2021-06-02 08:43:34.5", Int64(1_622_591_014_500_000_000)),
        ("2021-06-02 08:43:34.123456789", Int64(1_622_591_014_123_456_789)),
        ("1970-01-01 09:00:00.000000", Int64(0)),
        ("2024-01-01 08:59:59.999999", Int64(1_704_067_199_999_999_000)),
        ("2024-02-29 12:00:00.000000", Int64(1_709_175_600_000_000_000)),
        ("2000-02-29 00:00:00.000000", Int64(951_750_000_000_000_000)),
    ])
    func converts(contDtm: String, nanoseconds: Int64) throws {
        #expect(try Self.tradeTime(contDtm) == nanoseconds)
    }

    @Test(arguments: [
        "2021-02-29 00:00:00.000000", "2100-02-29 00:00:00", "2021-13-01 00:00:00", "2021-00-10 00:00:00",
        "2021-04-31 00:00:00", "2021-06-02 24:00:00", "2021-06-02 23:60:00", "2021-06-02 23:59:60",
        "2021-06-02T08:43:34", "2021-06-02 08:43:34.", "2021-06-02 08:43:34.1234567890", "2021-06-02 8:43:34",
        "1970-01-01 08:59:59", "2263-01-01 00:00:00", "", "2021-06-02", "２０２１-06-02 08:43:34",
    ])
    func rejects(contDtm: String) {
        expectRejected(BithumbLegacyAdapter(), text: #"{"type":"transaction","content":{"list":[{"symbol":"BTC_KRW","contPrice":"1","contQty":"1","contDtm":"\#(contDtm)"}]}}"#)
    }
}
