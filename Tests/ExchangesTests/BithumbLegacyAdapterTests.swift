import CoinfluxCore
import Exchanges
import Testing

@Suite("Bithumb legacy adapter")
struct BithumbLegacyAdapterTests {
    let adapter = BithumbLegacyAdapter()
    let btcKRW = Symbol(base: "BTC", quote: "KRW")

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

    /// The body does not name its market, so a path that names none is refused.
    @Test func restPathWithoutMarketIsRejected() throws {
        let pathError = expectRESTRejected(adapter, path: "/public/orderbook/BTC_KRW", try Fixture.bytes("bithumb-legacy/rest-ticker.json"))
        #expect(pathError?.reason == "no market in REST path /public/orderbook/BTC_KRW")
    }
}
