import CoinfluxCore
import Exchanges
import Foundation
import Testing

@Suite("Bybit adapter")
struct BybitAdapterTests {
    let adapter = BybitAdapter()
    let btcUSDT = Symbol(base: "BTC", quote: "USDT")

    /// `ts` after `data` in the message gives the same event.
    @Test func tickerMemberOrder() throws {
        let frame = #"{"data":{"symbol":"BTCUSDT","lastPrice":"21109.77","highPrice24h":"21426.99","lowPrice24h":"20575","prevPrice24h":"20704.93","volume24h":"6780.866843","turnover24h":"141946527.22907118"},"type":"snapshot","ts":1673853746003,"topic":"tickers.BTCUSDT"}"#
        #expect(try parse(adapter, text: frame).events == parse(adapter, Fixture.bytes("bybit/ticker.json")).events)
    }

    /// Non-numeric trade ids (UUIDs, as on Bybit's derivatives streams) are kept as text.
    @Test func uuidTradeID() throws {
        let frame = replacing("i", with: #""20f43950-d8dd-5b31-9112-a178eb6023af""#, in: try Fixture.bytes("bybit/trade.json"))
        let event = try #require(try parse(adapter, text: frame).events.first)
        #expect(event.tradeID == "20f43950-d8dd-5b31-9112-a178eb6023af")
        #expect(event.sequence == nil)
    }

    @Test func replies() throws {
        #expect(try parse(adapter, Fixture.bytes("bybit/ack.json")).kind == .acknowledgement("subscribe"))
        #expect(try parse(adapter, Fixture.bytes("bybit/error.json")).kind == .exchangeError("error:handler not found,topic:tickers.FOOBAR"))
        #expect(try parse(adapter, Fixture.bytes("bybit/pong.json")).kind == .pong)
        #expect(try parse(adapter, Fixture.bytes("bybit/orderbook.json")).kind == .ignored)
    }

    @Test func badSideIsRejected() throws {
        let frame = replacing("S", with: #""Hold""#, in: try Fixture.bytes("bybit/trade.json"))
        #expect(expectRejected(adapter, text: frame)?.reason == #"unexpected S "Hold""#)
    }

    // MARK: Requests and policy

    @Test func subscriptionFrames() {
        #expect(adapter.subscriptionFrames(for: [btcUSDT, Symbol(base: "ETH", quote: "USDT")]) == [
            .text(#"{"req_id":"1","op":"subscribe","args":["tickers.BTCUSDT","publicTrade.BTCUSDT","tickers.ETHUSDT","publicTrade.ETHUSDT"]}"#),
        ])
    }

    /// 6 symbols are 12 topics: requests of 10 and 2 args (spot allows at most 10).
    @Test func subscriptionChunksAtTenArgs() throws {
        let symbols = (0..<6).map { Symbol(base: "C\($0)", quote: "USDT") }
        let requests = try adapter.subscriptionFrames(for: symbols).map { frame in
            guard case .text(let text) = frame else { throw FrameError("binary request") }
            return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        #expect(requests.map { ($0["args"] as? [String])?.count } == [10, 2])
        #expect(requests.map { $0["req_id"] as? String } == ["1", "2"])
        #expect(requests.allSatisfy { $0["op"] as? String == "subscribe" })
    }

    @Test func connectionPolicy() {
        let policy = adapter.connectionPolicy
        #expect(policy.clientPing == .text(#"{"op":"ping"}"#))
        #expect(policy.pingInterval == .seconds(20))
        #expect(policy.maximumTopicsPerRequest == 10)
        #expect(adapter.defaultWebSocketURL.absoluteString == "wss://stream.bybit.com/v5/public/spot")
        #expect(adapter.defaultRESTURL.absoluteString == "https://api.bybit.com")
    }

    // MARK: REST

    @Test func restPaths() {
        #expect(adapter.restTickerPaths(for: [btcUSDT]) == ["/v5/market/tickers?category=spot&symbol=BTCUSDT"])
    }
}
