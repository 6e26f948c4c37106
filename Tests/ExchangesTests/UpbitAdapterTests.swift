import CoinfluxCore
import Exchanges
import Testing

@Suite("Upbit adapter")
struct UpbitAdapterTests {
    let adapter = UpbitAdapter()
    let btcKRW = Symbol(base: "BTC", quote: "KRW")

    /// Upbit's documented DEFAULT ticker (Fixtures/upbit/ticker.json). Time is `timestamp`; the
    /// ticker's `ask_bid` describes the last trade and is not a ticker side.
    var expectedTicker: MarketEvent {
        MarketEvent(
            kind: .ticker, exchange: .upbit, symbol: btcKRW, price: 32_287_000, size: 0.031_038_06,
            open24h: 31_883_000, high24h: 32_310_000, low24h: 31_855_000,
            volume24h: 7_158.802_835_6, quoteVolume24h: 228_827_082_483.707_29,
            eventTimeNanos: 1_676_965_262_177_000_000, receiveTimeNanos: receivedAt
        )
    }

    /// Upbit's documented DEFAULT trade: `BID` → the taker bought; time is `trade_timestamp`.
    var expectedTrade: MarketEvent {
        MarketEvent(
            kind: .trade, exchange: .upbit, symbol: btcKRW, price: 32_292_000, size: 0.030_967_42,
            eventTimeNanos: 1_676_965_220_395_000_000, receiveTimeNanos: receivedAt,
            tradeID: "1676965220395000", sequence: 1_676_965_220_395_000, side: .buy
        )
    }

    @Test func ticker() throws {
        let parsed = try parse(adapter, Fixture.bytes("upbit/ticker.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [expectedTicker])
    }

    /// The SIMPLE format's abbreviated keys (`ty`, `cd`, `tp`, `atv24h`, `tms`, …) give the same event.
    @Test func tickerSimpleFormat() throws {
        #expect(try parse(adapter, Fixture.bytes("upbit/ticker-simple.json")).events == [expectedTicker])
    }

    @Test func trade() throws {
        let parsed = try parse(adapter, Fixture.bytes("upbit/trade.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [expectedTrade])
    }

    /// SIMPLE trade keys (`sid`, `ab`, `ttms`, `bap`, …) including the newer best bid/ask fields.
    @Test func tradeSimpleFormat() throws {
        var expected = expectedTrade
        expected.bestAsk = 32_293_000
        expected.bestAskSize = 0.044_144_11
        expected.bestBid = 32_291_000
        expected.bestBidSize = 0.012_021_63
        #expect(try parse(adapter, Fixture.bytes("upbit/trade-simple.json")).events == [expected])
    }

    /// The ids of `upbit/trade-big-id.json` (checked in the documented-frames suite) do not survive a `Double`.
    @Test func bigIDsAreBeyondDoublePrecision() {
        #expect(Int64(Double(17_303_368_620_470_001)) != 17_303_368_620_470_001)
    }

    /// An id beyond `Int64` keeps its text; only the number is dropped.
    @Test func tradeWithIDBeyondInt64() throws {
        let frame = replacing("sequential_id", with: "123456789012345678901234567890", in: try Fixture.bytes("upbit/trade.json"))
        let event = try #require(try parse(adapter, text: frame).events.first)
        #expect(event.tradeID == "123456789012345678901234567890")
        #expect(event.sequence == nil)
    }

    /// Prices as strings (the other exchanges' habit) are accepted too.
    @Test func numbersAsStrings() throws {
        let frame = replacing("trade_price", with: #""32292000.00000000""#, in: try Fixture.bytes("upbit/trade.json"))
        #expect(try parse(adapter, text: frame).events == [expectedTrade])
    }

    /// Upbit sends binary frames; a text frame with the same bytes parses the same.
    @Test func textAndBinaryFramesAgree() throws {
        let bytes = try Fixture.bytes("upbit/trade.json")
        #expect(try parse(adapter, text: String(decoding: bytes, as: UTF8.self)).events == parse(adapter, bytes).events)
    }

    /// The reply to the text `PING`.
    @Test func pong() throws {
        let parsed = try parse(adapter, Fixture.bytes("upbit/pong.json"))
        #expect(parsed.kind == .pong)
        #expect(parsed.events.isEmpty)
    }

    @Test func errorFrame() throws {
        #expect(try parse(adapter, Fixture.bytes("upbit/error.json")).kind == .exchangeError("WRONG_FORMAT: 요청 형식 위반"))
    }

    @Test func otherTypesAreIgnored() throws {
        let parsed = try parse(adapter, Fixture.bytes("upbit/orderbook.json"))
        #expect(parsed.kind == .ignored)
        #expect(parsed.events.isEmpty)
    }

    @Test func unknownAskBidIsRejected() throws {
        let error = expectRejected(adapter, text: replacing("ask_bid", with: #""SIDEWAYS""#, in: try Fixture.bytes("upbit/trade.json")))
        #expect(error?.reason == #"unexpected ask_bid "SIDEWAYS""#)
    }

    // MARK: Requests and policy

    @Test func subscriptionFrames() {
        let frames = adapter.subscriptionFrames(for: [btcKRW, Symbol(base: "USDT", quote: "KRW")])
        #expect(frames == [.text(#"[{"ticket":"coinflux-upbit"},{"type":"ticker","codes":["KRW-BTC","KRW-USDT"]},{"type":"trade","codes":["KRW-BTC","KRW-USDT"]},{"format":"DEFAULT"}]"#)])
        #expect(adapter.subscriptionFrames(for: []).isEmpty)
    }

    @Test func connectionPolicy() {
        let policy = adapter.connectionPolicy
        #expect(policy.clientPing == .text("PING"))
        #expect(policy.pingInterval == .seconds(20))
        #expect(policy.sendsWebSocketPings == false)
        #expect(policy.maximumConnectionAge == nil)
        #expect(adapter.defaultWebSocketURL.absoluteString == "wss://api.upbit.com/websocket/v1")
        #expect(adapter.defaultRESTURL.absoluteString == "https://api.upbit.com")
    }

    // MARK: REST

    /// 150 markets → two requests of at most 100.
    @Test func restPaths() {
        #expect(adapter.restTickerPaths(for: [btcKRW, Symbol(base: "ETH", quote: "KRW")]) == ["/v1/ticker?markets=KRW-BTC,KRW-ETH"])
        let paths = adapter.restTickerPaths(for: (0..<150).map { Symbol(base: "C\($0)", quote: "KRW") })
        #expect(paths.count == 2)
        #expect(paths.map { $0.split(separator: ",").count } == [100, 50])
    }
}
