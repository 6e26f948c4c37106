import CoinfluxCore
import Exchanges
import Foundation
import Testing

@Suite("Bybit adapter")
struct BybitAdapterTests {
    let adapter = BybitAdapter()
    let btcUSDT = Symbol(base: "BTC", quote: "USDT")

    /// Bybit's documented spot ticker snapshot; time is the message's `ts`, open is `prevPrice24h`.
    @Test func ticker() throws {
        let parsed = try parse(adapter, Fixture.bytes("bybit/ticker.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [MarketEvent(
            kind: .ticker, exchange: .bybit, symbol: btcUSDT, price: 21_109.77,
            open24h: 20_704.93, high24h: 21_426.99, low24h: 20_575,
            volume24h: 6_780.866_843, quoteVolume24h: 141_946_527.229_071_18,
            eventTimeNanos: 1_673_853_746_003_000_000, receiveTimeNanos: receivedAt
        )])
    }

    /// `ts` after `data` in the message gives the same event.
    @Test func tickerMemberOrder() throws {
        let frame = #"{"data":{"symbol":"BTCUSDT","lastPrice":"21109.77","highPrice24h":"21426.99","lowPrice24h":"20575","prevPrice24h":"20704.93","volume24h":"6780.866843","turnover24h":"141946527.22907118"},"type":"snapshot","ts":1673853746003,"topic":"tickers.BTCUSDT"}"#
        #expect(try parse(adapter, text: frame).events == parse(adapter, Fixture.bytes("bybit/ticker.json")).events)
    }

    /// One frame, two trades; `S` is the taker's side; ids are numeric strings beyond 2^53.
    @Test func trades() throws {
        let parsed = try parse(adapter, Fixture.bytes("bybit/trade.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [
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
        ])
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

    /// Bybit's documented `/v5/market/tickers?category=spot` response (REST adds best bid/ask); time is `time`.
    @Test func restTicker() throws {
        let events = try parseREST(adapter, path: "/v5/market/tickers?category=spot&symbol=BTCUSDT", Fixture.bytes("bybit/rest-ticker.json"))
        #expect(events == [MarketEvent(
            kind: .ticker, exchange: .bybit, symbol: btcUSDT, price: 20_533.13,
            bestBid: 20_517.96, bestBidSize: 2, bestAsk: 20_527.77, bestAskSize: 1.862_172,
            open24h: 20_393.48, high24h: 21_128.12, low24h: 20_318.89,
            volume24h: 11_801.277_71, quoteVolume24h: 243_765_620.658_998_66,
            eventTimeNanos: 1_673_859_087_947_000_000, receiveTimeNanos: receivedAt
        )])
    }

    @Test func restErrorIsRejected() throws {
        let error = expectRESTRejected(adapter, path: "/v5/market/tickers?category=spot&symbol=NOPE", try Fixture.bytes("bybit/rest-error.json"))
        #expect(error?.reason == "exchange error: 10001: Not supported symbols")
    }
}
