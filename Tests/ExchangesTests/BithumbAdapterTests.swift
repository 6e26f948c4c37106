import CoinfluxCore
import Exchanges
import Testing

/// Bithumb's v1 API shares the Upbit format; these tests cover what differs.
@Suite("Bithumb v1 adapter")
struct BithumbAdapterTests {
    let adapter = BithumbAdapter()
    let btcKRW = Symbol(base: "BTC", quote: "KRW")

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
}
