import CoinfluxCore
import Exchanges
import Testing

/// Bithumb's v1 API shares the Upbit format; these tests cover what differs.
@Suite("Bithumb v1 adapter")
struct BithumbAdapterTests {
    let adapter = BithumbAdapter()
    let btcKRW = Symbol(base: "BTC", quote: "KRW")

    /// `delisting_date` is `""` instead of null; time is `timestamp`.
    @Test func ticker() throws {
        let parsed = try parse(adapter, Fixture.bytes("bithumb/ticker.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            open24h: 99_470_000, high24h: 100_500_000, low24h: 99_100_000,
            volume24h: 1_234.5678, quoteVolume24h: 123_456_789_012.345,
            eventTimeNanos: 1_730_336_862_082_000_000, receiveTimeNanos: receivedAt
        )])
    }

    /// `sequential_id` as a string of 17 digits; the epoch-ms `trade_timestamp` wins over the KST strings.
    @Test func tradeWithStringSequentialID() throws {
        let parsed = try parse(adapter, Fixture.bytes("bithumb/trade.json"))
        #expect(parsed.events == [MarketEvent(
            kind: .trade, exchange: .bithumb, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            eventTimeNanos: 1_730_336_862_047_000_000, receiveTimeNanos: receivedAt,
            tradeID: "17303368620470000", sequence: 17_303_368_620_470_000, side: .sell
        )])
    }

    /// Without `trade_timestamp`, `trade_date`/`trade_time` are read as KST:
    /// 2024-10-31 10:07:42 KST = 2024-10-31T01:07:42Z = 1730336862 s.
    @Test func tradeTimeFromKSTStrings() throws {
        let parsed = try parse(adapter, Fixture.bytes("bithumb/trade-kst-only.json"))
        #expect(parsed.events == [MarketEvent(
            kind: .trade, exchange: .bithumb, symbol: Symbol(base: "ETH", quote: "KRW"), price: 3_650_000, size: 0.25,
            eventTimeNanos: 1_730_336_862_000_000_000, receiveTimeNanos: receivedAt,
            tradeID: "17303368620470001", sequence: 17_303_368_620_470_001, side: .buy
        )])
    }

    /// The same strings on Upbit are UTC: nine hours later.
    @Test func upbitReadsTheSameStringsAsUTC() throws {
        let event = try #require(try parse(UpbitAdapter(), Fixture.bytes("bithumb/trade-kst-only.json")).events.first)
        #expect(event.eventTimeNanos == 1_730_336_862_000_000_000 + 9 * 3_600 * 1_000_000_000)
    }

    @Test func invalidTradeDateIsRejected() throws {
        let frame = replacing("trade_date", with: #""2024-02-30""#, in: try Fixture.bytes("bithumb/trade-kst-only.json"))
        #expect(expectRejected(adapter, text: frame)?.reason == "invalid trade_date/trade_time")
    }

    @Test func pongAndError() throws {
        #expect(try parse(adapter, Fixture.bytes("bithumb/pong.json")).kind == .pong)
        #expect(try parse(adapter, Fixture.bytes("bithumb/error.json")).kind == .exchangeError("INVALID_PARAM: type not supported"))
    }

    @Test func subscriptionFrames() {
        #expect(adapter.subscriptionFrames(for: [btcKRW]) == [
            .text(#"[{"ticket":"coinflux-bithumb"},{"type":"ticker","codes":["KRW-BTC"]},{"type":"trade","codes":["KRW-BTC"]},{"format":"DEFAULT"}]"#),
        ])
    }

    @Test func endpointsAndPolicy() {
        #expect(adapter.defaultWebSocketURL.absoluteString == "wss://ws-api.bithumb.com/websocket/v1")
        #expect(adapter.defaultRESTURL.absoluteString == "https://api.bithumb.com")
        #expect(adapter.connectionPolicy.clientPing == .text("PING"))
        #expect(adapter.connectionPolicy.pingInterval < .seconds(120))
        #expect(adapter.restTickerPaths(for: [btcKRW]) == ["/v1/ticker?markets=KRW-BTC"])
    }

    @Test func restTicker() throws {
        let events = try parseREST(adapter, path: "/v1/ticker?markets=KRW-BTC", Fixture.bytes("bithumb/rest-ticker.json"))
        #expect(events == [MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: btcKRW, price: 100_150_000, size: 0.000_499_2,
            open24h: 99_470_000, high24h: 100_500_000, low24h: 99_100_000,
            volume24h: 1_234.5678, quoteVolume24h: 123_456_789_012.345,
            eventTimeNanos: 1_730_336_862_082_000_000, receiveTimeNanos: receivedAt
        )])
    }
}
