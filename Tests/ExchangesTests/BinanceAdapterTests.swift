import CoinfluxCore
import Exchanges
import Foundation
import Testing

@Suite("Binance adapter")
struct BinanceAdapterTests {
    let adapter = BinanceAdapter()
    let bnbBTC = Symbol(base: "BNB", quote: "BTC")
    let btcUSDT = Symbol(base: "BTC", quote: "USDT")

    // MARK: Streams

    /// Text and binary frames carry the same bytes: a `String`'s UTF-8 and the file's bytes agree.
    @Test func textAndBinaryFramesAgree() throws {
        let bytes = try Fixture.bytes("binance/ticker.json")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(try parse(adapter, text: text).events == parse(adapter, bytes).events)
    }

    /// Members in another order (`e` last), prices as JSON numbers instead of strings.
    @Test func memberOrderAndNumbersAsNumbers() throws {
        let frame = #"{"T":1672515782136,"m":false,"q":100,"p":0.001,"t":"12345","s":"bnbbtc","E":1672515782999,"e":"trade"}"#
        let parsed = try parse(adapter, text: frame)
        #expect(parsed.events == [MarketEvent(
            kind: .trade, exchange: .binance, symbol: bnbBTC, price: 0.001, size: 100,
            eventTimeNanos: 1_672_515_782_136_000_000, receiveTimeNanos: receivedAt,
            tradeID: "12345", sequence: 12_345, side: .buy
        )])
    }

    @Test func subscriptionAck() throws {
        let parsed = try parse(adapter, Fixture.bytes("binance/ack.json"))
        #expect(parsed.kind == .acknowledgement("id 1"))
        #expect(parsed.events.isEmpty)
    }

    @Test func errorReply() throws {
        let parsed = try parse(adapter, Fixture.bytes("binance/error.json"))
        #expect(parsed.kind == .exchangeError("2: Invalid request: unknown variant SUBSCRIBEE, expected one of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS"))
        #expect(parsed.events.isEmpty)
    }

    /// Event types coinflux does not subscribe to (`aggTrade`) parse as ignored, with nothing appended.
    @Test func otherEventsAreIgnored() throws {
        let parsed = try parse(adapter, Fixture.bytes("binance/aggtrade.json"))
        #expect(parsed.kind == .ignored)
        #expect(parsed.events.isEmpty)
    }

    @Test func unmappableSymbolIsRejected() {
        let error = expectRejected(adapter, text: #"{"e":"trade","E":1,"s":"BTCXYZ","t":1,"p":"1","q":"1","T":1,"m":true}"#)
        #expect(error?.reason == #"unexpected s "BTCXYZ""#)
    }

    /// Trade `T` and `E` both missing: no time. `E` alone is used when `T` is absent.
    @Test func tradeTimeFallsBackToEventTime() throws {
        let fixture = try Fixture.bytes("binance/trade.json")
        let withoutTradeTime = removing("T", from: fixture)
        #expect(try parse(adapter, text: withoutTradeTime).events.first?.eventTimeNanos == 1_672_515_782_136_000_000)
        expectRejected(adapter, text: removing("E", from: Array(withoutTradeTime.utf8)))
    }

    // MARK: Requests and policy

    @Test func subscriptionFrames() {
        let frames = adapter.subscriptionFrames(for: [btcUSDT, Symbol(base: "ETH", quote: "BTC")])
        #expect(frames == [.text(#"{"method":"SUBSCRIBE","params":["btcusdt@ticker","btcusdt@trade","ethbtc@ticker","ethbtc@trade"],"id":1}"#)])
        #expect(adapter.subscriptionFrames(for: []).isEmpty)
        #expect(adapter.webSocketPath(for: [btcUSDT]) == nil)
    }

    /// 600 symbols are 1200 streams: one request of 1024 and one of 176, ids 1 and 2.
    @Test func subscriptionChunksAt1024Streams() throws {
        let symbols = (0..<600).map { Symbol(base: "C\($0)", quote: "USDT") }
        let frames = adapter.subscriptionFrames(for: symbols)
        let requests = try frames.map { frame in
            guard case .text(let text) = frame else { throw FrameError("binary request") }
            return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        #expect(requests.map { ($0["params"] as? [String])?.count } == [1_024, 176])
        #expect(requests.map { $0["id"] as? Int } == [1, 2])
        #expect((requests[1]["params"] as? [String])?.last == "c599usdt@trade")
    }

    @Test func connectionPolicy() {
        let policy = adapter.connectionPolicy
        #expect(policy.clientPing == nil)
        #expect(policy.sendsWebSocketPings == false)
        #expect(policy.maximumConnectionAge == .seconds(23 * 3_600 + 45 * 60))
        #expect(policy.maximumTopicsPerRequest == 1_024)
        #expect(adapter.defaultWebSocketURL.absoluteString == "wss://stream.binance.com:9443/ws")
        #expect(adapter.defaultRESTURL.absoluteString == "https://api.binance.com")
    }

    // MARK: REST

    @Test func restPaths() {
        #expect(adapter.restTickerPaths(for: [btcUSDT, bnbBTC]) == [
            "/api/v3/ticker/24hr?symbol=BTCUSDT", "/api/v3/ticker/24hr?symbol=BNBBTC",
        ])
    }
}
