import CoinfluxCore
import Foundation
import Simulator
import Testing

@Suite("REST tickers")
struct RESTTickerTests {
    @Test("Binance /api/v3/ticker/24hr: string prices, numeric times and ids")
    func binance() async throws {
        try await withSimulator { _, port in
            let response = try await http(port: port, "/binance/api/v3/ticker/24hr?symbol=BTCUSDT")
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            let ticker = try #require(response.object)
            #expect(ticker["symbol"] as? String == "BTCUSDT")
            for key in ["lastPrice", "volume", "quoteVolume", "openPrice", "highPrice", "lowPrice", "bidPrice", "askPrice", "priceChangePercent"] {
                #expect(decimalString(ticker[key]) != nil, "\(key) should be a decimal string")
            }
            #expect(abs(Int64(jsonNumber(ticker["closeTime"]) ?? 0) - nowMilliseconds()) < 5_000)
            #expect(jsonNumber(ticker["count"]) != nil)

            let invalid = try await http(port: port, "/binance/api/v3/ticker/24hr?symbol=NOPE")
            #expect(invalid.status == 400)
            #expect(invalid.object?["code"] as? Int == -1121)
        }
    }

    @Test("Upbit and Bithumb /v1/ticker: one object per market, JSON numbers", arguments: ["upbit", "bithumb"])
    func upbitStyle(prefix: String) async throws {
        try await withSimulator { _, port in
            let response = try await http(port: port, "/\(prefix)/v1/ticker?markets=KRW-BTC,KRW-ETH")
            #expect(response.status == 200)
            let tickers = try #require(response.json as? [[String: Any]])
            #expect(tickers.map { $0["market"] as? String } == ["KRW-BTC", "KRW-ETH"])
            for ticker in tickers {
                for key in ["trade_price", "opening_price", "high_price", "low_price", "acc_trade_volume_24h", "signed_change_rate", "timestamp", "trade_timestamp"] {
                    #expect(jsonNumber(ticker[key]) != nil, "\(key) should be a JSON number")
                }
                #expect((ticker["trade_date_kst"] as? String)?.count == 8)
            }
            try #expect(await http(port: port, "/\(prefix)/v1/ticker?markets=BTCKRW").status == 404)
        }
    }

    @Test("Bybit /v5/market/tickers: the v5 envelope with a spot list")
    func bybit() async throws {
        try await withSimulator { _, port in
            let response = try await http(port: port, "/bybit/v5/market/tickers?category=spot&symbol=BTCUSDT")
            #expect(response.status == 200)
            let envelope = try #require(response.object)
            #expect(envelope["retCode"] as? Int == 0)
            #expect(envelope["retMsg"] as? String == "OK")
            #expect(jsonNumber(envelope["time"]) != nil)
            let result = try #require(envelope["result"] as? [String: Any])
            #expect(result["category"] as? String == "spot")
            let ticker = try #require((result["list"] as? [[String: Any]])?.first)
            #expect(ticker["symbol"] as? String == "BTCUSDT")
            for key in ["bid1Price", "bid1Size", "ask1Price", "ask1Size", "lastPrice", "prevPrice24h", "price24hPcnt",
                        "highPrice24h", "lowPrice24h", "turnover24h", "volume24h"] {
                #expect(decimalString(ticker[key]) != nil, "\(key) should be a decimal string")
            }
            let unknown = try #require(try await http(port: port, "/bybit/v5/market/tickers?category=spot&symbol=NOPE").object)
            #expect(unknown["retCode"] as? Int != 0)
        }
    }

    @Test("Bithumb legacy /public/ticker: status 0000 and string data")
    func bithumbLegacy() async throws {
        try await withSimulator { _, port in
            let body = try #require(try await http(port: port, "/bithumb/public/ticker/BTC_KRW").object)
            #expect(body["status"] as? String == "0000")
            let data = try #require(body["data"] as? [String: Any])
            for key in ["opening_price", "closing_price", "min_price", "max_price", "units_traded_24H", "acc_trade_value_24H",
                        "prev_closing_price", "fluctate_24H", "fluctate_rate_24H", "date"] {
                #expect(decimalString(data[key]) != nil, "\(key) should be a decimal string")
            }
            try #expect(await http(port: port, "/bithumb/public/ticker/BTCKRW").object?["status"] as? String == "5500")
        }
    }

    @Test("Coinone /public/v2/ticker_new/KRW/BTC: success envelope with one ticker")
    func coinone() async throws {
        try await withSimulator { _, port in
            let body = try #require(try await http(port: port, "/coinone/public/v2/ticker_new/KRW/BTC").object)
            #expect(body["result"] as? String == "success")
            #expect(body["error_code"] as? String == "0")
            let ticker = try #require((body["tickers"] as? [[String: Any]])?.first)
            #expect(ticker["quote_currency"] as? String == "KRW")
            #expect(ticker["target_currency"] as? String == "BTC")
            for key in ["last", "first", "high", "low", "quote_volume", "target_volume"] {
                #expect(decimalString(ticker[key]) != nil, "\(key) should be a decimal string")
            }
            let bestAsk = try #require((ticker["best_asks"] as? [[String: Any]])?.first)
            #expect(decimalString(bestAsk["price"]) != nil)
        }
    }

    @Test("price levels make the KRW premium small: BTC-KRW / (BTC-USDT × USDT-KRW) − 1 within ±1.5 %")
    func premiumIsSmall() async throws {
        try await withSimulator { _, port in
            let usdt = try #require(decimalString(try await http(port: port, "/binance/api/v3/ticker/24hr?symbol=BTCUSDT").object?["lastPrice"]))
            let upbit = try #require(try await http(port: port, "/upbit/v1/ticker?markets=KRW-BTC,KRW-USDT").json as? [[String: Any]])
            let btcKRW = try #require(jsonNumber(upbit.first?["trade_price"]))
            let usdtKRW = try #require(jsonNumber(upbit.last?["trade_price"]))
            #expect((1_300...1_500).contains(usdtKRW))
            let premium = btcKRW / (usdt * usdtKRW) - 1
            #expect(abs(premium) < 0.015, "premium \(premium)")
        }
    }
}
