import CoinfluxCore
import Exchanges
import Foundation
import Testing

/// Each adapter's recent-trades REST endpoint: paging, paths, pages parsed from the documented
/// shapes (`Fixtures/<exchange>/rest-trades.json`; the documented pages themselves are checked in
/// ``DocumentedFixtureTests``), and the same trade received live and recovered over REST giving
/// the same event.
@Suite("Recent trades over REST")
struct RecentTradesTests {
    let bnbBTC = Symbol(base: "BNB", quote: "BTC")
    let btcKRW = Symbol(base: "BTC", quote: "KRW")
    let btcUSDT = Symbol(base: "BTC", quote: "USDT")
    let xrpKRW = Symbol(base: "XRP", quote: "KRW")

    // MARK: Binance

    /// Pages by id, 1 000 a page; a page weighs 25 where a REST pacer slot is a weight-2 ticker
    /// request, so it takes 13 slots and a backfill keeps within the pacer's 20 weight/s.
    @Test func binanceHistoryAPI() throws {
        let adapter = BinanceAdapter()
        let history = try #require(adapter.tradeHistory)
        #expect(history == TradeHistoryAPI(paging: .fromID, pageSize: 1_000, requestCost: 13))
        #expect(adapter.tradeIDsAreConsecutive)
        let slotWeight = 2.0, pageWeight = 25.0
        #expect(Double(history.requestCost) * slotWeight >= pageWeight)
        let weightPerSecond = adapter.restRequestsPerSecond / Double(history.requestCost) * pageWeight
        #expect(weightPerSecond <= adapter.restRequestsPerSecond * slotWeight)
        #expect(weightPerSecond > adapter.restRequestsPerSecond * slotWeight * 0.9, "a cost of 13 wastes little of the budget")
    }

    @Test func binancePaths() {
        let adapter = BinanceAdapter()
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .newest) == "/api/v3/trades?symbol=BTCUSDT&limit=1000")
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .fromID(28_457)) == "/api/v3/historicalTrades?symbol=BTCUSDT&fromId=28457&limit=1000")
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .fromID(-1)) == nil)
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .olderThan(cursor: "1")) == nil)
    }

    /// The stream `trade` of trade 28457 and its REST record give the same event.
    @Test func binanceLiveAndRESTAgree() throws {
        let adapter = BinanceAdapter()
        let live = try parse(adapter, Fixture.bytes("binance/trade-in-rest-trades.json")).events
        let recovered = try parseTrades(adapter, symbol: bnbBTC, Fixture.bytes("binance/rest-trades.json")).trades
        #expect(live.count == 1)
        #expect(recovered.first.map(asReceivedLive) == live.first)
    }

    /// Ids beyond 2^53 keep every digit; one beyond `Int64` keeps its text and has no sequence.
    @Test func binanceBigIDs() throws {
        let body = #"[{"id":9007199254740993,"price":"1","qty":"1","time":1,"isBuyerMaker":false},{"id":123456789012345678901234,"price":"1","qty":"1","time":2}]"#
        let trades = try parseTrades(BinanceAdapter(), symbol: btcUSDT, Array(body.utf8)).trades
        #expect(trades.map(\.tradeID) == ["9007199254740993", "123456789012345678901234"])
        #expect(trades.map(\.sequence) == [9_007_199_254_740_993, nil])
        #expect(trades.map(\.side) == [.buy, .unknown])
    }

    @Test func binanceEmptyPageAndErrors() throws {
        let adapter = BinanceAdapter()
        #expect(try parseTrades(adapter, symbol: btcUSDT, Array("[]".utf8)) == TradeHistoryPage(trades: []))
        let error = expectTradesRejected(adapter, symbol: btcUSDT, try Fixture.bytes("binance/rest-error.json"))
        #expect(error?.reason == "exchange error: -1121: Invalid symbol.")
        #expect(expectTradesRejected(adapter, symbol: btcUSDT, Array("{}".utf8))?.reason == "expected an array of trades")
    }

    // MARK: Upbit and Bithumb v1

    @Test(arguments: [UpbitAdapter() as any ExchangeAdapter, BithumbAdapter()])
    func upbitFormatHistoryAPIAndPaths(adapter: any ExchangeAdapter) {
        #expect(adapter.tradeHistory == TradeHistoryAPI(paging: .olderThanCursor, pageSize: 500, requestCost: 1))
        #expect(!adapter.tradeIDsAreConsecutive)
        #expect(adapter.recentTradesPath(for: btcKRW, page: .newest) == "/v1/trades/ticks?market=KRW-BTC&count=500")
        #expect(adapter.recentTradesPath(for: btcKRW, page: .olderThan(cursor: "17303368620470000"))
            == "/v1/trades/ticks?market=KRW-BTC&count=500&cursor=17303368620470000")
        #expect(adapter.recentTradesPath(for: btcKRW, page: .olderThan(cursor: "1&x=2"))
            == "/v1/trades/ticks?market=KRW-BTC&count=500&cursor=1%26x%3D2")
        #expect(adapter.recentTradesPath(for: btcKRW, page: .fromID(1)) == nil)
    }

    /// A full page names the `sequential_id` of its last (oldest) trade as the older page's cursor.
    @Test(arguments: [UpbitAdapter() as any ExchangeAdapter, BithumbAdapter()])
    func fullPageNamesOlderCursor(adapter: any ExchangeAdapter) throws {
        let trades = (0..<500).map { index in
            #"{"market":"KRW-BTC","timestamp":\#(1_730_336_862_047 - index),"trade_price":1.0,"trade_volume":1.0,"ask_bid":"BID","sequential_id":\#(17_303_368_620_470_000 - index)}"#
        }
        let page = try parseTrades(adapter, symbol: btcKRW, Array(("[" + trades.joined(separator: ",") + "]").utf8))
        #expect(page.trades.count == 500)
        #expect(page.olderCursor == "17303368620469501")
        #expect(page.trades.allSatisfy { $0.isBackfilled })
    }

    /// The stream's trade (with the best bid and ask the newer stream adds, which REST does not
    /// send) and its REST record give the same event apart from those book fields.
    @Test func upbitLiveAndRESTAgree() throws {
        let adapter = UpbitAdapter()
        var live = try #require(parse(adapter, Fixture.bytes("upbit/trade-big-id.json")).events.first)
        #expect(live.bestAsk != nil)
        (live.bestAsk, live.bestAskSize, live.bestBid, live.bestBidSize) = (nil, nil, nil, nil)
        let recovered = try parseTrades(adapter, symbol: btcKRW, Fixture.bytes("upbit/rest-trades.json")).trades
        #expect(recovered.first.map(asReceivedLive) == live)
    }

    /// Bithumb's stream sends `sequential_id` as a string, its REST page as a number: same event.
    @Test func bithumbLiveAndRESTAgree() throws {
        let adapter = BithumbAdapter()
        let live = try parse(adapter, Fixture.bytes("bithumb/trade.json")).events
        let page = try parseTrades(adapter, symbol: btcKRW, Fixture.bytes("bithumb/rest-trades.json"))
        #expect(page.olderCursor == nil)
        #expect(page.trades.map(asReceivedLive) == live)
        #expect(page.trades.first?.tradeID == "17303368620470000")
        #expect(page.trades.first?.exchange == .bithumb)
    }

    /// A `sequential_id` beyond 2^53 that a `Double` would round keeps every digit.
    @Test func upbitOddBigID() throws {
        let body = #"[{"market":"KRW-BTC","timestamp":1730336862047,"trade_price":1,"trade_volume":1,"ask_bid":"ASK","sequential_id":17303368620470001}]"#
        let trade = try parseTrades(UpbitAdapter(), symbol: btcKRW, Array(body.utf8)).trades.first
        #expect(trade?.tradeID == "17303368620470001")
        #expect(trade?.sequence == 17_303_368_620_470_001)
    }

    @Test func upbitEmptyPageAndErrors() throws {
        let adapter = UpbitAdapter()
        #expect(try parseTrades(adapter, symbol: btcKRW, Array("[]".utf8)) == TradeHistoryPage(trades: [], olderCursor: nil))
        let error = expectTradesRejected(adapter, symbol: btcKRW, try Fixture.bytes("upbit/rest-error.json"))
        #expect(error?.reason == "exchange error: 404: Code not found")
        #expect(expectTradesRejected(adapter, symbol: btcKRW, Array(#"{"status":"UP"}"#.utf8))?.reason == "expected an array of trades")
        let other = expectTradesRejected(adapter, symbol: Symbol(base: "ETH", quote: "KRW"), try Fixture.bytes("upbit/rest-trades.json"))
        #expect(other?.reason == "a trade of BTC-KRW in the trades of ETH-KRW")
        let withoutID = removing("sequential_id", from: try Fixture.bytes("upbit/rest-trades.json"))
        #expect(expectTradesRejected(adapter, symbol: btcKRW, Array(withoutID.utf8))?.reason == "missing field sequential_id")
        let withoutTime = removing("timestamp", from: try Fixture.bytes("upbit/rest-trades.json"))
        #expect(expectTradesRejected(adapter, symbol: btcKRW, Array(withoutTime.utf8))?.reason == "missing field timestamp")
    }

    // MARK: Bithumb legacy

    /// No trade ids, no history.
    @Test func bithumbLegacyHasNoHistory() {
        let adapter = BithumbLegacyAdapter()
        #expect(adapter.tradeHistory == nil)
        #expect(!adapter.tradeIDsAreConsecutive)
        for page in [TradePage.newest, .olderThan(cursor: "1"), .fromID(1)] {
            #expect(adapter.recentTradesPath(for: btcKRW, page: page) == nil)
        }
        #expect(expectTradesRejected(adapter, symbol: btcKRW, Array("[]".utf8)) != nil)
    }

    // MARK: Bybit

    @Test func bybitHistoryAPIAndPaths() {
        let adapter = BybitAdapter()
        #expect(adapter.tradeHistory == TradeHistoryAPI(paging: .newestOnly, pageSize: 60, requestCost: 1))
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .newest) == "/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=60")
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .olderThan(cursor: "1")) == nil)
        #expect(adapter.recentTradesPath(for: btcUSDT, page: .fromID(1)) == nil)
    }

    /// The two trades of the stream fixture, listed newest first over REST: the same events.
    @Test func bybitLiveAndRESTAgree() throws {
        let adapter = BybitAdapter()
        let live = try parse(adapter, Fixture.bytes("bybit/trade.json")).events
        let page = try parseTrades(adapter, symbol: btcUSDT, Fixture.bytes("bybit/rest-trades.json"))
        #expect(live.count == 2)
        #expect(page.olderCursor == nil)
        #expect(page.trades.allSatisfy { $0.isBackfilled })
        #expect(page.trades.reversed().map(asReceivedLive) == live)
        #expect(page.trades.map(\.side) == [.sell, .buy])
    }

    @Test func bybitEmptyPageAndErrors() throws {
        let adapter = BybitAdapter()
        let empty = #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[]},"retExtInfo":{},"time":1672304487000}"#
        #expect(try parseTrades(adapter, symbol: btcUSDT, Array(empty.utf8)) == TradeHistoryPage(trades: []))
        let error = expectTradesRejected(adapter, symbol: btcUSDT, try Fixture.bytes("bybit/rest-error.json"))
        #expect(error?.reason == "exchange error: 10001: Not supported symbols")
        let noList = #"{"retCode":0,"retMsg":"OK","result":{"category":"spot"},"time":1}"#
        #expect(expectTradesRejected(adapter, symbol: btcUSDT, Array(noList.utf8))?.reason == "missing field result.list")
        let linear = #"{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[]},"time":1}"#
        #expect(expectTradesRejected(adapter, symbol: btcUSDT, Array(linear.utf8))?.reason == #"unexpected category "linear""#)
        let other = expectTradesRejected(adapter, symbol: Symbol(base: "ETH", quote: "USDT"), try Fixture.bytes("bybit/rest-trades.json"))
        #expect(other?.reason == "a trade of BTC-USDT in the trades of ETH-USDT")
    }

    // MARK: Coinone

    @Test func coinoneHistoryAPIAndPaths() {
        let adapter = CoinoneAdapter()
        #expect(adapter.tradeHistory == TradeHistoryAPI(paging: .newestOnly, pageSize: 200, requestCost: 1))
        #expect(adapter.recentTradesPath(for: Symbol(base: "BTC", quote: "KRW"), page: .newest) == "/public/v2/trades/KRW/BTC?size=200")
        #expect(adapter.recentTradesPath(for: xrpKRW, page: .olderThan(cursor: "1")) == nil)
    }

    /// The stream's `TRADE` and the page's first transaction: the same event, side included
    /// (`is_seller_maker` true: the taker bought, both ways).
    @Test func coinoneLiveAndRESTAgree() throws {
        let adapter = CoinoneAdapter()
        let live = try parse(adapter, Fixture.bytes("coinone/trade.json")).events
        let page = try parseTrades(adapter, symbol: xrpKRW, Fixture.bytes("coinone/rest-trades.json"))
        #expect(page.trades.count == 2)
        #expect(page.trades.first.map(asReceivedLive) == live.first)
        #expect(page.trades.map(\.side) == [.buy, .sell])
        #expect(page.trades.last == MarketEvent(
            kind: .trade, exchange: .coinone, symbol: xrpKRW, price: 688.2, size: 120.5,
            eventTimeNanos: 1_693_560_449_512_000_000, receiveTimeNanos: receivedAt,
            tradeID: "1693560449512001", sequence: 1_693_560_449_512_001, side: .sell, isBackfilled: true
        ))
    }

    @Test func coinoneEmptyPageAndErrors() throws {
        let adapter = CoinoneAdapter()
        let empty = #"{"result":"success","error_code":"0","server_time":1,"quote_currency":"KRW","target_currency":"XRP","transactions":[]}"#
        #expect(try parseTrades(adapter, symbol: xrpKRW, Array(empty.utf8)) == TradeHistoryPage(trades: []))
        let error = expectTradesRejected(adapter, symbol: xrpKRW, try Fixture.bytes("coinone/rest-error.json"))
        #expect(error?.reason == "exchange error: 107: Parameter value is wrong")
        let noList = #"{"result":"success","error_code":"0","quote_currency":"KRW","target_currency":"XRP"}"#
        #expect(expectTradesRejected(adapter, symbol: xrpKRW, Array(noList.utf8))?.reason == "missing field transactions")
        let withoutTarget = removing("target_currency", from: try Fixture.bytes("coinone/rest-trades.json"))
        #expect(expectTradesRejected(adapter, symbol: xrpKRW, Array(withoutTarget.utf8))?.reason == "missing field target_currency")
    }
}
