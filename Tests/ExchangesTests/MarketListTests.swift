import CoinfluxCore
import Exchanges
import Testing

/// Each adapter's market list (`Fixtures/<exchange>/rest-markets.json`): spot markets whose symbol
/// the adapter maps, in the order listed, trading or not.
@Suite("Market lists")
struct MarketListTests {
    func market(_ base: String, _ quote: String, trading: Bool = true) -> ListedMarket {
        ListedMarket(symbol: Symbol(base: base, quote: quote), isTrading: trading)
    }

    /// `exchangeInfo`: `TRADING` trades, `BREAK` (delisted) and `HALT` do not; `BTCARS` (a quote the
    /// stream parser cannot split off) and a symbol without spot trading are left out.
    @Test func binance() throws {
        let adapter = BinanceAdapter()
        #expect(adapter.marketListPath == "/api/v3/exchangeInfo")
        #expect(try parseMarkets(adapter, Fixture.bytes("binance/rest-markets.json")) == [
            market("ETH", "BTC"), market("BNB", "BTC", trading: false), market("BTC", "USDT", trading: false),
        ])
        #expect(expectMarketsRejected(adapter, try Fixture.bytes("binance/rest-error.json"))?.reason == "exchange error: -1121: Invalid symbol.")
        #expect(expectMarketsRejected(adapter, Array(#"{"timezone":"UTC"}"#.utf8))?.reason == "missing field symbols")
        #expect(try parseMarkets(adapter, Array(#"{"symbols":[]}"#.utf8)).isEmpty)
    }

    /// A symbol whose code and assets disagree would give frames of another market: left out.
    @Test func binanceCodeMustMatchAssets() throws {
        let body = #"{"symbols":[{"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","quoteAsset":"USDT"}]}"#
        #expect(try parseMarkets(BinanceAdapter(), Array(body.utf8)).isEmpty)
    }

    /// `/v1/market/all`, with Upbit's detail fields: every market trades (a warning is not a halt),
    /// markets of every quote.
    @Test func upbit() throws {
        let adapter = UpbitAdapter()
        #expect(adapter.marketListPath == "/v1/market/all")
        #expect(try parseMarkets(adapter, Fixture.bytes("upbit/rest-markets.json")) == [
            market("BTC", "KRW"), market("ETH", "BTC"), market("XRP", "USDT"),
        ])
        #expect(expectMarketsRejected(adapter, try Fixture.bytes("upbit/rest-error.json"))?.reason == "exchange error: 404: Code not found")
        #expect(try parseMarkets(adapter, Array(#"[{"market":"KRW-BTC"},{"market":"KRW_ETH"},{"market":"KRW-"}]"#.utf8)) == [market("BTC", "KRW")])
        #expect(expectMarketsRejected(adapter, Array(#"[{"korean_name":"비트코인"}]"#.utf8))?.reason == "missing field market")
    }

    /// Bithumb's `market_warning` `CAUTION` still trades; the legacy adapter reads the same list
    /// from the same host.
    @Test(arguments: [BithumbAdapter() as any ExchangeAdapter, BithumbLegacyAdapter()])
    func bithumb(adapter: any ExchangeAdapter) throws {
        #expect(adapter.marketListPath == "/v1/market/all")
        #expect(try parseMarkets(adapter, Fixture.bytes("bithumb/rest-markets.json")) == [
            market("BTC", "KRW"), market("ETH", "KRW"), market("XRP", "BTC"),
        ])
    }

    /// `instruments-info`: `BTCPLN` (a quote the stream parser cannot split off) is left out.
    @Test func bybit() throws {
        let adapter = BybitAdapter()
        #expect(adapter.marketListPath == "/v5/market/instruments-info?category=spot")
        #expect(try parseMarkets(adapter, Fixture.bytes("bybit/rest-markets.json")) == [market("BTC", "USDT"), market("ETH", "BTC")])
        #expect(expectMarketsRejected(adapter, try Fixture.bytes("bybit/rest-error.json"))?.reason == "exchange error: 10001: Not supported symbols")
        let closed = #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","baseCoin":"BTC","quoteCoin":"USDT","status":"Closed"}]},"time":1}"#
        #expect(try parseMarkets(adapter, Array(closed.utf8)) == [market("BTC", "USDT", trading: false)])
    }

    /// `markets`: under maintenance (`maintenance_status` 1) or with `trade_status` 0, not trading.
    @Test func coinone() throws {
        let adapter = CoinoneAdapter()
        #expect(adapter.marketListPath == "/public/v2/markets/KRW")
        #expect(try parseMarkets(adapter, Fixture.bytes("coinone/rest-markets.json")) == [
            market("BTC", "KRW"), market("XRP", "KRW", trading: false), market("LUNC", "KRW", trading: false),
        ])
        #expect(expectMarketsRejected(adapter, try Fixture.bytes("coinone/rest-error.json"))?.reason == "exchange error: 107: Parameter value is wrong")
        #expect(expectMarketsRejected(adapter, Array(#"{"result":"success","error_code":"0"}"#.utf8))?.reason == "missing field markets")
        let odd = #"{"result":"success","markets":[{"quote_currency":"KRW","target_currency":"B-C"},{"quote_currency":"KRW","target_currency":"ETH"}]}"#
        #expect(try parseMarkets(adapter, Array(odd.utf8)) == [market("ETH", "KRW")])
    }
}
