import CoinfluxCore
import Exchanges
import Testing

@Suite("Bithumb legacy adapter")
struct BithumbLegacyAdapterTests {
    let adapter = BithumbLegacyAdapter()
    let btcKRW = Symbol(base: "BTC", quote: "KRW")

    /// Bithumb's documented ticker example; `date`/`time` 20200129 121844 are KST, i.e.
    /// 2020-01-29T03:18:44Z = 1580267924 s.
    @Test func ticker() throws {
        let parsed = try parse(adapter, Fixture.bytes("bithumb-legacy/ticker.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 2_317,
            open24h: 2_302, high24h: 2_344, low24h: 2_272,
            volume24h: 1_222_314.513_557_88, quoteVolume24h: 2_831_915_078.070_657_89,
            eventTimeNanos: 1_580_267_924_000_000_000, receiveTimeNanos: receivedAt
        )])
    }

    /// Volumes with ~30 significant digits round to the nearest `Double` (as `Double(String)` does);
    /// 20210811 204903 KST = 1628682543 s.
    @Test func tickerWithLongDecimals() throws {
        let event = try #require(try parse(adapter, Fixture.bytes("bithumb-legacy/ticker-long-decimals.json")).events.first)
        #expect(event.symbol == Symbol(base: "ETH", quote: "KRW"))
        #expect(event.quoteVolume24h == Double("71936713574.4532312749481437683"))
        #expect(event.volume24h == Double("19318.8612773254237346352457101"))
        #expect(event.eventTimeNanos == 1_628_682_543_000_000_000)
    }

    /// Only the 24H tick type is a 24 h ticker; the others are ignored.
    @Test func otherTickTypesAreIgnored() throws {
        let parsed = try parse(adapter, Fixture.bytes("bithumb-legacy/ticker-30m.json"))
        #expect(parsed.kind == .ignored)
        #expect(parsed.events.isEmpty)
    }

    /// Two trades; `contDtm` 2021-06-02 08:43:34.555058 KST = 1622591014.555058 s UTC, microseconds
    /// kept. No trade id; `buySellGb` is not trusted, so the side is unknown.
    @Test func transactions() throws {
        let parsed = try parse(adapter, Fixture.bytes("bithumb-legacy/transaction.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [
            MarketEvent(
                kind: .trade, exchange: .bithumb, symbol: btcKRW, price: 10_579_000, size: 0.01,
                eventTimeNanos: 1_622_591_014_555_058_000, receiveTimeNanos: receivedAt, side: .unknown
            ),
            MarketEvent(
                kind: .trade, exchange: .bithumb, symbol: btcKRW, price: 10_580_000, size: 0.020_42,
                eventTimeNanos: 1_622_591_014_555_219_000, receiveTimeNanos: receivedAt, side: .unknown
            ),
        ])
    }

    /// A later trade that fails drops the earlier one of the same frame too.
    @Test func oneBadTradeRejectsTheWholeFrame() throws {
        let frame = String(decoding: try Fixture.bytes("bithumb-legacy/transaction.json"), as: UTF8.self)
            .replacingOccurrences(of: "2021-06-02 08:43:34.555219", with: "2021-06-02 25:43:34.555219")
        #expect(expectRejected(adapter, text: frame)?.reason == #"unexpected contDtm "2021-06-02 25:43:34.555219""#)
    }

    @Test func statusFrames() throws {
        #expect(try parse(adapter, Fixture.bytes("bithumb-legacy/connected.json")).kind == .acknowledgement("Connected Successfully"))
        #expect(try parse(adapter, Fixture.bytes("bithumb-legacy/registered.json")).kind == .acknowledgement("Filter Registered Successfully"))
        #expect(try parse(adapter, Fixture.bytes("bithumb-legacy/error.json")).kind == .exchangeError("5100: Invalid Filter Syntax"))
        #expect(try parse(adapter, Fixture.bytes("bithumb-legacy/orderbookdepth.json")).kind == .ignored)
    }

    @Test func subscriptionFrames() {
        #expect(adapter.subscriptionFrames(for: [btcKRW, Symbol(base: "ETH", quote: "KRW")]) == [
            .text(#"{"type":"ticker","symbols":["BTC_KRW","ETH_KRW"],"tickTypes":["24H"]}"#),
            .text(#"{"type":"transaction","symbols":["BTC_KRW","ETH_KRW"]}"#),
        ])
        #expect(adapter.subscriptionFrames(for: []).isEmpty)
    }

    @Test func endpointsAndPolicy() {
        #expect(adapter.exchange == .bithumb)
        #expect(adapter.defaultWebSocketURL.absoluteString == "wss://pubwss.bithumb.com/pub/ws")
        #expect(adapter.connectionPolicy.clientPing == nil)
        #expect(adapter.connectionPolicy.sendsWebSocketPings)
        #expect(adapter.restTickerPaths(for: [btcKRW]) == ["/public/ticker/BTC_KRW"])
    }

    /// The legacy REST body does not name its market: it comes from the path.
    @Test func restTicker() throws {
        let events = try parseREST(adapter, path: "/public/ticker/BTC_KRW", Fixture.bytes("bithumb-legacy/rest-ticker.json"))
        #expect(events == [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 28_846_000,
            open24h: 28_775_000, high24h: 29_097_000, low24h: 28_473_000,
            volume24h: 2_049.680_966_96, quoteVolume24h: 58_724_118_015.331_8,
            eventTimeNanos: 1_669_789_200_000_000_000, receiveTimeNanos: receivedAt
        )])
    }

    @Test func restErrorsAreRejected() throws {
        let error = expectRESTRejected(adapter, path: "/public/ticker/NOPE_KRW", try Fixture.bytes("bithumb-legacy/rest-error.json"))
        #expect(error?.reason == "exchange error: 5500: Invalid Parameter")
        let pathError = expectRESTRejected(adapter, path: "/public/orderbook/BTC_KRW", try Fixture.bytes("bithumb-legacy/rest-ticker.json"))
        #expect(pathError?.reason == "no market in REST path /public/orderbook/BTC_KRW")
    }
}
