import CoinfluxCore
import Foundation
import Simulator
import Testing

/// Market lists the exchanges' way, 24 h volumes through the tickers, and listing and delisting
/// at run time.
@Suite("Market lists")
struct MarketListTests {
    @Test("each exchange lists its markets at its real path and shape")
    func lists() async throws {
        try await withSimulator { simulator, port in
            let defaults = SimulatorConfiguration.defaultMarkets
            let binance = try #require(try await http(port: port, "/binance/api/v3/exchangeInfo").object?["symbols"] as? [[String: Any]])
            #expect(binance.count == defaults[.binance]?.count)
            #expect(binance.first?["symbol"] as? String == "BTCUSDT" && binance.first?["status"] as? String == "TRADING")
            #expect(binance.first?["baseAsset"] as? String == "BTC" && binance.first?["quoteAsset"] as? String == "USDT")
            for exchange in ["upbit", "bithumb"] {
                let list = try #require(try await http(port: port, "/\(exchange)/v1/market/all").json as? [[String: Any]])
                #expect(list.count == defaults[Exchange(rawValue: exchange) ?? .upbit]?.count)
                #expect(list.first?["market"] as? String == "KRW-BTC" && list.first?["english_name"] as? String == "Bitcoin")
                #expect(list.first?["korean_name"] is String)
            }
            let details = try #require(try await http(port: port, "/upbit/v1/market/all?is_details=true").json as? [[String: Any]])
            #expect(details.first?["market_event"] is [String: Any])
            let bybit = try #require((try await http(port: port, "/bybit/v5/market/instruments-info?category=spot").object?["result"] as? [String: Any])?["list"] as? [[String: Any]])
            #expect(bybit.count == defaults[.bybit]?.count)
            #expect(bybit.first?["baseCoin"] as? String == "BTC" && bybit.first?["status"] as? String == "Trading")
            let coinone = try #require(try await http(port: port, "/coinone/public/v2/markets/KRW").object?["markets"] as? [[String: Any]])
            #expect(coinone.count == defaults[.coinone]?.count)
            #expect(coinone.first?["target_currency"] as? String == "BTC" && coinone.first?["trade_status"] as? Int == 1)
            #expect(simulator.listedSymbols(on: .coinone).count == coinone.count)
        }
    }

    @Test("every market's 24 h quote volume comes through the tickers, falling along the market list")
    func volumes() async throws {
        try await withSimulator { _, port in
            let tickers = try #require(try await http(port: port, "/binance/api/v3/ticker/24hr").json as? [[String: Any]])
            let usdt = tickers.filter { ($0["symbol"] as? String)?.hasSuffix("USDT") == true }
            let volumes = usdt.compactMap { decimalString($0["quoteVolume"]) }
            #expect(volumes.count == usdt.count && volumes.count > 20)
            #expect(volumes == volumes.sorted(by: >), "top:N by volume follows the list")
            let upbit = try #require(try await http(port: port, "/upbit/v1/ticker/all?quote_currencies=KRW").json as? [[String: Any]])
            #expect(upbit.count > 20 && upbit.allSatisfy { (jsonNumber($0["acc_trade_price_24h"]) ?? 0) > 0 })
            let bybit = try #require((try await http(port: port, "/bybit/v5/market/tickers?category=spot").object?["result"] as? [String: Any])?["list"] as? [[String: Any]])
            #expect(bybit.count > 20 && bybit.allSatisfy { decimalString($0["turnover24h"]) != nil })
            let coinone = try #require(try await http(port: port, "/coinone/public/v2/ticker_new/KRW").object?["tickers"] as? [[String: Any]])
            #expect(coinone.count > 15 && coinone.allSatisfy { decimalString($0["quote_volume"]) != nil })
        }
    }

    @Test("a market listed at run time appears in the lists and tickers and streams; delisted, its stream stops and it leaves them")
    func listAndDelist() async throws {
        try await withSimulator(.testing(tradesPerSecond: 50)) { simulator, port in
            let pepe = Symbol(base: "PEPE", quote: "USDT")
            #expect(try await http(port: port, "/binance/api/v3/ticker/24hr?symbol=PEPEUSDT").status == 400)
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["pepeusdt@trade","btcusdt@trade"],"id":1}"#)
                #expect(try await http(.POST, port: port, "/admin/binance/list?symbol=PEPE-USDT").status == 200)
                let (_, pepeTrade) = try #require(try await client.nextObject { $0["s"] as? String == "PEPEUSDT" })
                #expect(pepeTrade["e"] as? String == "trade")
                #expect(try await http(port: port, "/binance/api/v3/ticker/24hr?symbol=PEPEUSDT").status == 200)
                let symbols = try #require(try await http(port: port, "/binance/api/v3/exchangeInfo?symbol=PEPEUSDT").object?["symbols"] as? [[String: Any]])
                #expect(symbols.first?["status"] as? String == "TRADING")

                let delistedAt = nowMilliseconds()
                #expect(simulator.delist(pepe, on: .binance))
                let delisted = simulator.trades(of: pepe, on: .binance).count
                var pepeAfter = 0, btcAfter = 0
                let clock = ContinuousClock(), end = clock.now + .seconds(1)
                while clock.now < end, let object = try await client.nextData()?.object {
                    guard Int64(jsonNumber(object["T"]) ?? 0) > delistedAt else { continue }  // sent before the delisting
                    if object["s"] as? String == "PEPEUSDT" { pepeAfter += 1 } else { btcAfter += 1 }
                }
                #expect(pepeAfter == 0, "the delisted stream stopped")
                #expect(btcAfter > 10, "the others go on")
                #expect(simulator.trades(of: pepe, on: .binance).count == delisted, "a delisted market does not trade")
            }
            let info = try #require(try await http(port: port, "/binance/api/v3/exchangeInfo").object?["symbols"] as? [[String: Any]])
            #expect(info.first { $0["symbol"] as? String == "PEPEUSDT" }?["status"] as? String == "BREAK")
            #expect(try await http(port: port, "/binance/api/v3/ticker/24hr?symbol=PEPEUSDT").object?["code"] as? Int == -1121)
            #expect(try await http(port: port, "/binance/api/v3/trades?symbol=PEPEUSDT").status == 400)

            // Upbit-style lists drop a delisted market, and list it again when it is.
            #expect(try await http(.POST, port: port, "/admin/upbit/delist?symbol=XRP-KRW").status == 200)
            let upbit = try #require(try await http(port: port, "/upbit/v1/market/all").json as? [[String: Any]])
            #expect(!upbit.contains { $0["market"] as? String == "KRW-XRP" })
            #expect(try await http(port: port, "/upbit/v1/ticker?markets=KRW-XRP").status == 404)
            #expect(try await http(.POST, port: port, "/admin/upbit/delist?symbol=XRP-KRW").status == 404, "not listed")
            #expect(simulator.list(Symbol(base: "XRP", quote: "KRW"), on: .upbit))
            #expect(try await http(port: port, "/upbit/v1/ticker?markets=KRW-XRP").status == 200)
            #expect(try await http(.POST, port: port, "/admin/upbit/list").status == 400)
        }
    }
}
