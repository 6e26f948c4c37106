import CoinfluxCore
import Exchanges
import Testing

@Suite("Coinone adapter")
struct CoinoneAdapterTests {
    let adapter = CoinoneAdapter()
    let xrpKRW = Symbol(base: "XRP", quote: "KRW")

    /// A DEFAULT ticker with every documented field (values in the documentation's range for KRW-XRP).
    var expectedTicker: MarketEvent {
        MarketEvent(
            kind: .ticker, exchange: .coinone, symbol: xrpKRW, price: 687,
            bestBid: 687, bestBidSize: 58_524.4139, bestAsk: 687.1, bestAskSize: 21_357.8599,
            open24h: 686.6, high24h: 697, low24h: 681.1,
            volume24h: 17_912_713.4347, quoteVolume24h: 12_361_140_667.7396,
            eventTimeNanos: 1_693_560_155_038_000_000, receiveTimeNanos: receivedAt
        )
    }

    @Test func ticker() throws {
        let parsed = try parse(adapter, Fixture.bytes("coinone/ticker.json"))
        #expect(parsed.kind == .data)
        #expect(parsed.events == [expectedTicker])
    }

    /// The SHORT format (`r`, `c`, `d`, `qc`, `tc`, `la`, `abp`, …) gives the same event.
    @Test func tickerShortFormat() throws {
        #expect(try parse(adapter, Fixture.bytes("coinone/ticker-short.json")).events == [expectedTicker])
    }

    /// Best prices are null when a book side is empty.
    @Test func tickerWithEmptyBook() throws {
        let event = try #require(try parse(adapter, Fixture.bytes("coinone/ticker-empty-book.json")).events.first)
        #expect(event.symbol == Symbol(base: "NEWCOIN", quote: "KRW"))
        #expect(event.price == 10)
        #expect(event.bestAsk == nil)
        #expect(event.bestBid == nil)
        #expect(event.bestAskSize == 0)
    }

    @Test func controlFrames() throws {
        #expect(try parse(adapter, Fixture.bytes("coinone/connected.json")).kind == .acknowledgement("CONNECTED"))
        #expect(try parse(adapter, Fixture.bytes("coinone/subscribed.json")).kind == .acknowledgement("SUBSCRIBED TRADE"))
        #expect(try parse(adapter, Fixture.bytes("coinone/pong.json")).kind == .pong)
        #expect(try parse(adapter, Fixture.bytes("coinone/error.json")).kind == .exchangeError("160012: Invalid Topic"))
        #expect(try parse(adapter, text: #"{"response_type":"DATA","channel":"ORDERBOOK","data":{"asks":[],"bids":[]}}"#).kind == .ignored)
    }

    @Test func badCurrencyIsRejected() throws {
        let frame = replacing("target_currency", with: #""X-R-P""#, in: try Fixture.bytes("coinone/trade.json"))
        #expect(expectRejected(adapter, text: frame)?.reason == #"unexpected target_currency "X-R-P""#)
    }

    // MARK: Requests and policy

    /// One request per pair and channel, DEFAULT format (no `format` member).
    @Test func subscriptionFrames() {
        #expect(adapter.subscriptionFrames(for: [Symbol(base: "BTC", quote: "KRW"), xrpKRW]) == [
            .text(#"{"request_type":"SUBSCRIBE","channel":"TICKER","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#),
            .text(#"{"request_type":"SUBSCRIBE","channel":"TRADE","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#),
            .text(#"{"request_type":"SUBSCRIBE","channel":"TICKER","topic":{"quote_currency":"KRW","target_currency":"XRP"}}"#),
            .text(#"{"request_type":"SUBSCRIBE","channel":"TRADE","topic":{"quote_currency":"KRW","target_currency":"XRP"}}"#),
        ])
    }

    @Test func connectionPolicy() {
        let policy = adapter.connectionPolicy
        #expect(policy.clientPing == .text(#"{"request_type":"PING"}"#))
        #expect(policy.pingInterval < .seconds(30 * 60))
        #expect(policy.maximumTopicsPerRequest == 1)
        #expect(adapter.defaultWebSocketURL.absoluteString == "wss://stream.coinone.co.kr")
        #expect(adapter.defaultRESTURL.absoluteString == "https://api.coinone.co.kr")
    }

    // MARK: REST

    @Test func restPaths() {
        #expect(adapter.restTickerPaths(for: [Symbol(base: "BTC", quote: "KRW")]) == ["/public/v2/ticker_new/KRW/BTC"])
    }
}
