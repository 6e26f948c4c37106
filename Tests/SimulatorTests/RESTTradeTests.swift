import CoinfluxCore
import Foundation
import Simulator
import Testing

/// Each exchange's recent-trades endpoint: page size, order, paging and how far back it reaches.
@Suite("REST recent trades")
struct RESTTradeTests {
    /// Markets trading fast enough to fill a few pages, one exchange's history `depth` trades deep.
    static func configuration(shallow exchange: Exchange, depth: Int = 50) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration.testing(tradesPerSecond: 400)
        configuration.restHistoryDepth = [exchange: depth]
        return configuration
    }

    /// Waits until the market logged `count` trades and returns the log.
    static func log(_ simulator: ExchangeSimulator, _ symbol: Symbol, on exchange: Exchange, count: Int = 600) async throws -> [LoggedTrade] {
        _ = try await eventually(within: .seconds(10)) { simulator.trades(of: symbol, on: exchange).count >= count }
        return simulator.trades(of: symbol, on: exchange)
    }

    @Test("Binance: /trades (≤ 1000, oldest first), /historicalTrades and /aggTrades by fromId, history depth")
    func binance() async throws {
        var configuration = Self.configuration(shallow: .binance, depth: 1_500)
        configuration.tradesPerSecond = 1_000
        try await withSimulator(configuration) { simulator, port in
            let symbol = Symbol(base: "BTC", quote: "USDT"), eth = Symbol(base: "ETH", quote: "USDT")
            _ = try await Self.log(simulator, symbol, on: .binance, count: 2_500)
            _ = try await Self.log(simulator, eth, on: .binance, count: 100)
            let recent = try #require(try await http(port: port, "/binance/api/v3/trades?symbol=ETHUSDT&limit=5").json as? [[String: Any]])
            let recentIDs = recent.compactMap { ($0["id"] as? NSNumber)?.int64Value }
            #expect(recentIDs.count == 5 && zip(recentIDs, recentIDs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "oldest first")
            #expect(recent.allSatisfy { $0["price"] is String && $0["qty"] is String && $0["isBuyerMaker"] is Bool })
            // A page from the id of one of the five newest trades: it stays served for 1.5 s at 1000 trades/s.
            let fromID = try #require(recentIDs.first)
            let page = try #require(try await http(port: port, "/binance/api/v3/historicalTrades?symbol=ETHUSDT&fromId=\(fromID)&limit=5").json as? [[String: Any]])
            #expect(page.compactMap { ($0["id"] as? NSNumber)?.int64Value } == recentIDs, "the same five trades, from fromId on")
            #expect(page.first?["price"] as? String == recent.first?["price"] as? String && page.first?["qty"] as? String == recent.first?["qty"] as? String)
            let entry = simulator.trades(of: eth, on: .binance).first { $0.id == String(fromID) }
            #expect(entry?.price == recent.first?["price"] as? String, "the log prints prices as the exchange does")
            let aggregates = try #require(try await http(port: port, "/binance/api/v3/aggTrades?symbol=ETHUSDT&limit=3").json as? [[String: Any]])
            let firstAggregate = try #require((aggregates.first?["a"] as? NSNumber)?.int64Value)
            let next = try #require(try await http(port: port, "/binance/api/v3/aggTrades?symbol=ETHUSDT&fromId=\(firstAggregate + 1)&limit=2").json as? [[String: Any]])
            #expect((next.first?["a"] as? NSNumber)?.int64Value == firstAggregate + 1)
            #expect((next.first?["f"] as? NSNumber)?.int64Value == (aggregates[1]["f"] as? NSNumber)?.int64Value)
            let large = try #require(try await http(port: port, "/binance/api/v3/trades?symbol=BTCUSDT&limit=5000").json as? [[String: Any]])
            #expect(large.count == 1_000, "at most 1000 a page")
            let btcLog = simulator.trades(of: symbol, on: .binance)
            let oldest = try #require(Int64(btcLog[0].id))
            let deep = try #require(try await http(port: port, "/binance/api/v3/historicalTrades?symbol=BTCUSDT&fromId=\(oldest)&limit=1000").json as? [[String: Any]])
            let firstServed = try #require((deep.first?["id"] as? NSNumber)?.int64Value)
            #expect(firstServed > oldest + 1_000, "fromId beyond the depth starts at the oldest trade still served")
            let newest = try #require(Int64(simulator.trades(of: symbol, on: .binance).last?.id ?? ""))
            #expect(newest - firstServed < 1_500 + 1_000, "about 1500 trades deep")
            #expect(try await http(port: port, "/binance/api/v3/trades?symbol=NOPE").object?["code"] as? Int == -1121)
            #expect(simulator.restRequests(for: .binance).weight >= 7 * 25 - 2 * 21)
        }
    }

    @Test("Upbit and Bithumb v1: /v1/trades/ticks newest first, ≤ 500 a page, paged by cursor back to the depth", arguments: [Exchange.upbit, .bithumb])
    func ticks(exchange: Exchange) async throws {
        try await withSimulator(Self.configuration(shallow: exchange)) { simulator, port in
            let symbol = Symbol(base: "ETH", quote: "KRW")
            let log = try await Self.log(simulator, symbol, on: exchange)
            let path = "/\(exchange.rawValue)/v1/trades/ticks?market=KRW-ETH"
            let first = try #require(try await http(port: port, path + "&count=20").json as? [[String: Any]])
            #expect(first.count == 20)
            let firstRaw = try await http(port: port, path + "&count=1").text
            #expect(rawNumber("sequential_id", in: firstRaw).flatMap { Int64($0) } != nil, "sequential_id is a number")
            var ids: [Int64] = []
            var cursor: Int64?
            var pages = 0
            while pages < 10 {
                let text = try await http(port: port, path + "&count=20" + (cursor.map { "&cursor=\($0)" } ?? "")).text
                let page = text.components(separatedBy: "\"sequential_id\":").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
                pages += 1
                guard let last = page.last else { break }
                ids += page
                cursor = last
            }
            // The market keeps trading while the pages are fetched, and the 50 trades served move with it.
            #expect(pages < 10, "paging ends with an empty page at the depth")
            #expect((20...50).contains(ids.count), "\(ids.count) trades within the last 50")
            #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 < $0 }, "newest first")
            let logged = simulator.trades(of: symbol, on: exchange).compactMap { Int64($0.id) }
            let start = try #require(logged.firstIndex(of: ids.last ?? 0))
            #expect(Array(logged[start..<min(logged.count, start + ids.count)].reversed()) == ids, "pages contiguous in the log")
            #expect(log.count >= 600)
            let deep = exchange == .upbit ? "bithumb" : "upbit"  // not shallow
            let big = try #require(try await http(port: port, "/\(deep)/v1/trades/ticks?market=KRW-BTC&count=1000").json as? [[String: Any]])
            #expect(big.count == 500, "at most 500 a page")
            #expect(big.first?["trade_date_utc"] is String && big.first?["ask_bid"] is String)
            #expect(try await http(port: port, "/\(exchange.rawValue)/v1/trades/ticks?market=KRW-NOPE").status == 404)
        }
    }

    @Test("Bybit: /v5/market/recent-trade newest first, at most 60 for spot, within the depth")
    func bybit() async throws {
        try await withSimulator(Self.configuration(shallow: .bybit)) { simulator, port in
            _ = try await Self.log(simulator, Symbol(base: "BTC", quote: "USDT"), on: .bybit, count: 200)
            let body = try #require(try await http(port: port, "/bybit/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=1000").object)
            #expect(body["retCode"] as? Int == 0)
            let list = try #require((body["result"] as? [String: Any])?["list"] as? [[String: Any]])
            #expect(list.count == 50, "spot allows 60; this history is 50 deep")
            let ids = list.compactMap { ($0["execId"] as? String).flatMap { Int64($0) } }
            #expect(ids.count == list.count && zip(ids, ids.dropFirst()).allSatisfy { $1 < $0 }, "newest first")
            let oldest = list.last?["execId"] as? String
            #expect(simulator.trades(of: Symbol(base: "BTC", quote: "USDT"), on: .bybit).contains { $0.id == oldest })
            #expect(list.allSatisfy { $0["time"] is String && ["Buy", "Sell"].contains($0["side"] as? String ?? "") })
        }
        try await withSimulator(.testing(tradesPerSecond: 400)) { simulator, port in
            _ = try await Self.log(simulator, Symbol(base: "ETH", quote: "USDT"), on: .bybit, count: 100)
            let eth = try #require((try await http(port: port, "/bybit/v5/market/recent-trade?category=spot&symbol=ETHUSDT&limit=100").object?["result"] as? [String: Any])?["list"] as? [[String: Any]])
            #expect(eth.count == 60, "spot pages hold at most 60")
        }
    }

    @Test("Coinone: /public/v2/trades newest first, size 10/50/100/150/200, within the depth")
    func coinone() async throws {
        try await withSimulator(Self.configuration(shallow: .coinone)) { simulator, port in
            _ = try await Self.log(simulator, Symbol(base: "BTC", quote: "KRW"), on: .coinone, count: 300)
            let body = try #require(try await http(port: port, "/coinone/public/v2/trades/KRW/BTC?size=10").object)
            let list = try #require(body["transactions"] as? [[String: Any]])
            let ids = list.compactMap { ($0["id"] as? String).flatMap { Int64($0) } }
            #expect(ids.count == 10 && zip(ids, ids.dropFirst()).allSatisfy { $1 < $0 })
            let all = try #require(try await http(port: port, "/coinone/public/v2/trades/KRW/BTC").object?["transactions"] as? [[String: Any]])
            #expect(all.count == 50, "default 200, history 50 deep")
            #expect(try await http(port: port, "/coinone/public/v2/trades/KRW/BTC?size=7").object?["result"] as? String == "error")
        }
    }

    @Test("Bithumb legacy: /public/transaction_history newest first, 1-100")
    func bithumbLegacy() async throws {
        try await withSimulator(.testing(tradesPerSecond: 400)) { simulator, port in
            _ = try await Self.log(simulator, Symbol(base: "BTC", quote: "KRW"), on: .bithumb, count: 150)
            let body = try #require(try await http(port: port, "/bithumb/public/transaction_history/BTC_KRW?count=100").object)
            let data = try #require(body["data"] as? [[String: Any]])
            #expect(body["status"] as? String == "0000" && data.count == 100)
            let dates = data.compactMap { $0["transaction_date"] as? String }
            #expect(dates == dates.sorted(by: >), "newest first")
            #expect(try await http(port: port, "/bithumb/public/transaction_history/BTC_KRW?count=101").object?["status"] as? String == "5500")
        }
    }

    @Test("REST requests are counted per exchange and per second, 429s included")
    func requestCounts() async throws {
        try await withSimulator { simulator, port in
            for _ in 0..<3 {
                _ = try await http(port: port, "/upbit/v1/trades/ticks?market=KRW-BTC")
            }
            _ = try await http(.POST, port: port, "/admin/upbit/rest-limit?seconds=5")
            _ = try await http(port: port, "/upbit/v1/ticker?markets=KRW-BTC")
            let counts = simulator.restRequests(for: .upbit)
            #expect(counts.requests == 4 && counts.limited == 1 && counts.weight == 4)
            #expect(counts.perSecond.reduce(0) { $0 + $1.requests } == 4 && counts.busiestSecond >= 1)
            let over = try #require(try await http(port: port, "/admin/rest-requests").object?["upbit"] as? [String: Any])
            #expect(over["requests"] as? Int == 4 && (over["perSecond"] as? [Any])?.isEmpty == false)
            #expect(simulator.restRequests(for: .binance).requests == 0)
        }
    }
}
