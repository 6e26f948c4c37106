import CoinfluxCore
import Foundation
import Simulator
import Testing

/// Upbit's and Bithumb's market flags, set through the admin route and served the exchanges' ways.
@Suite("Market flags")
struct MarketFlagTests {
    /// `market` → its object in a `/v1/market/all` body.
    static func byMarket(_ list: [[String: Any]]) -> [String: [String: Any]] {
        Dictionary(list.compactMap { item in (item["market"] as? String).map { ($0, item) } }, uniquingKeysWith: { first, _ in first })
    }

    @Test("Upbit's market_event carries the warning and every documented caution type, set ones true, others added")
    func upbit() async throws {
        try await withSimulator { _, port in
            #expect(try await http(.POST, port: port, "/admin/upbit/flag?symbol=ETH-KRW&warning=true&caution=PRICE_FLUCTUATIONS,NEW_TYPE_1").status == 200)
            let list = Self.byMarket(try #require(try await http(port: port, "/upbit/v1/market/all?is_details=true").json as? [[String: Any]]))
            let eth = try #require(list["KRW-ETH"]?["market_event"] as? [String: Any])
            #expect(eth["warning"] as? Bool == true)
            let cautions = try #require(eth["caution"] as? [String: Bool])
            #expect(cautions == ["PRICE_FLUCTUATIONS": true, "TRADING_VOLUME_SOARING": false, "DEPOSIT_AMOUNT_SOARING": false,
                                 "GLOBAL_PRICE_DIFFERENCES": false, "CONCENTRATION_OF_SMALL_ACCOUNTS": false, "NEW_TYPE_1": true])
            let btc = try #require(list["KRW-BTC"]?["market_event"] as? [String: Any])
            #expect(btc["warning"] as? Bool == false && (btc["caution"] as? [String: Bool])?.values.contains(true) == false)
            // Cleared: no flag left.
            #expect(try await http(.POST, port: port, "/admin/upbit/flag?symbol=ETH-KRW").status == 200)
            let cleared = Self.byMarket(try #require(try await http(port: port, "/upbit/v1/market/all?is_details=true").json as? [[String: Any]]))
            let after = try #require(cleared["KRW-ETH"]?["market_event"] as? [String: Any])
            #expect(after["warning"] as? Bool == false && (after["caution"] as? [String: Bool])?.count == 5)
            #expect((after["caution"] as? [String: Bool])?.values.contains(true) == false)
        }
    }

    @Test("Bithumb: the warning is market_warning CAUTION, each alert one element of virtual_asset_warning with a KST end date")
    func bithumb() async throws {
        try await withSimulator { simulator, port in
            #expect(try await http(.POST, port: port, "/admin/bithumb/flag?symbol=XRP-KRW&caution=PRICE_DIFFERENCE_HIGH,PRICE_SUDDEN_FLUCTUATION").status == 200)
            #expect(simulator.flag(Symbol(base: "ETH", quote: "KRW"), on: .bithumb, MarketFlags(warning: true)))
            let list = Self.byMarket(try #require(try await http(port: port, "/bithumb/v1/market/all?isDetails=true").json as? [[String: Any]]))
            #expect(list["KRW-ETH"]?["market_warning"] as? String == "CAUTION")
            #expect(list["KRW-XRP"]?["market_warning"] as? String == "NONE")
            #expect(list["KRW-BTC"]?["market_warning"] as? String == "NONE")
            let alerts = try #require(try await http(port: port, "/bithumb/v1/market/virtual_asset_warning").json as? [[String: Any]])
            #expect(alerts.map { "\($0["market"] ?? "") \($0["warning_type"] ?? "")" } == [
                "KRW-XRP PRICE_DIFFERENCE_HIGH", "KRW-XRP PRICE_SUDDEN_FLUCTUATION",
            ])
            let endDate = try #require(alerts.first?["end_date"] as? String)
            #expect(endDate.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"#, options: .regularExpression) != nil, "\(endDate)")
        }
    }

    @Test("flags of other exchanges, unknown markets and malformed values are refused")
    func refused() async throws {
        try await withSimulator { simulator, port in
            #expect(try await http(.POST, port: port, "/admin/binance/flag?symbol=BTC-USDT&warning=true").status == 400)
            #expect(try await http(.POST, port: port, "/admin/upbit/flag?symbol=NOPE-KRW&warning=true").status == 404)
            #expect(try await http(.POST, port: port, "/admin/upbit/flag?warning=true").status == 404)
            #expect(try await http(.POST, port: port, "/admin/upbit/flag?symbol=BTC-KRW&warning=maybe").status == 400)
            #expect(try await http(.POST, port: port, "/admin/upbit/flag?symbol=BTC-KRW&caution=price%20surge").status == 400)
            #expect(!simulator.flag(Symbol(base: "BTC", quote: "USDT"), on: .binance, MarketFlags(warning: true)))
            #expect(!simulator.flag(Symbol(base: "NOPE", quote: "KRW"), on: .upbit, MarketFlags(warning: true)))
            let alerts = try #require(try await http(port: port, "/bithumb/v1/market/virtual_asset_warning").json as? [[String: Any]])
            #expect(alerts.isEmpty)
        }
    }
}
