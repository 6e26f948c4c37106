import CoinfluxCore
import Exchanges
import Testing

/// Upbit's and Bithumb's market flags (``MarketStatusAdapter``): the documented bodies
/// (`Fixtures/upbit/rest-status.json` is Upbit's official example; Bithumb's bodies follow its
/// documented fields), alert types kept as named, and malformed bodies rejected with a reason.
@Suite("Market status parsing")
struct MarketStatusParsingTests {
    static let btc = Symbol(base: "BTC", quote: "KRW")
    static let eth = Symbol(base: "ETH", quote: "KRW")
    static let xrp = Symbol(base: "XRP", quote: "KRW")

    /// One Upbit market with `market_event` as given.
    static func upbitBody(_ marketEvent: String, market: String = "KRW-BTC") -> [UInt8] {
        Array(#"[{"market":"\#(market)","korean_name":"비트코인","english_name":"Bitcoin","market_event":\#(marketEvent)}]"#.utf8)
    }

    static func rejection(_ adapter: any MarketStatusAdapter, _ bodies: [[UInt8]]) -> FrameError? {
        do {
            let statuses = try adapter.parseMarketStatuses(bodies: bodies)
            Issue.record("accepted: \(statuses)")
            return nil
        } catch {
            return error
        }
    }

    /// The official example: KRW-BTC without flags, KRW-ETH under investment warning.
    @Test func upbitDocumentedExample() throws {
        let adapter = UpbitAdapter()
        #expect(adapter.marketStatusPaths == ["/v1/market/all?is_details=true"])
        let statuses = try adapter.parseMarketStatuses(bodies: [Fixture.bytes("upbit/rest-status.json")])
        #expect(statuses == [Self.btc: .none, Self.eth: MarketFlags(warning: true)])
        #expect(statuses[Self.eth]?.isFlagged == true && statuses[Self.btc]?.isFlagged == false)
    }

    /// Each caution flag that is true is kept, sorted, unknown types too; false ones are not.
    @Test func upbitCautions() throws {
        let body = Self.upbitBody(#"{"warning":false,"caution":{"TRADING_VOLUME_SOARING":true,"PRICE_FLUCTUATIONS":true,"DEPOSIT_AMOUNT_SOARING":false,"NEW_ALERT_2027":true}}"#)
        let flags = try #require(try UpbitAdapter().parseMarketStatuses(bodies: [body])[Self.btc])
        #expect(flags == MarketFlags(cautions: ["NEW_ALERT_2027", "PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING"]))
        #expect(flags.cautions == ["NEW_ALERT_2027", "PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING"])
        #expect(!flags.warning && flags.isFlagged)
    }

    /// Markets the stream parser cannot map are left out; quotes other than KRW are kept.
    @Test func upbitUnmappedMarketsAreLeftOut() throws {
        let none = #"{"warning":false,"caution":{}}"#
        let body = Array(#"[{"market":"KRW_BTC","market_event":\#(none)},{"market":"BTC-ETH","market_event":{"warning":true,"caution":{}}}]"#.utf8)
        #expect(try UpbitAdapter().parseMarketStatuses(bodies: [body]) == [Symbol(base: "ETH", quote: "BTC"): MarketFlags(warning: true)])
    }

    /// A list without details, members of the wrong type, odd alert names, an error reply, two bodies.
    @Test func upbitMalformed() throws {
        let adapter = UpbitAdapter()
        #expect(Self.rejection(adapter, [Array(#"[{"market":"KRW-BTC","korean_name":"비트코인"}]"#.utf8)])?.reason == "missing field market_event")
        #expect(Self.rejection(adapter, [Self.upbitBody(#"{"caution":{}}"#)])?.reason == "missing field market_event.warning")
        #expect(Self.rejection(adapter, [Self.upbitBody(#"{"warning":false}"#)])?.reason == "missing field market_event.caution")
        #expect(Self.rejection(adapter, [Self.upbitBody(#"{"warning":"false","caution":{}}"#)]) != nil)
        #expect(Self.rejection(adapter, [Self.upbitBody(#"{"warning":false,"caution":{"PRICE_FLUCTUATIONS":1}}"#)]) != nil)
        #expect(Self.rejection(adapter, [Self.upbitBody(#"{"warning":false,"caution":[]}"#)]) != nil)
        #expect(Self.rejection(adapter, [Self.upbitBody(#"{"warning":false,"caution":{"price fluctuations":true}}"#)])?.reason
            == "price fluctuations is not an alert type (upper-case letters, digits and _)")
        #expect(Self.rejection(adapter, [try Fixture.bytes("upbit/rest-error.json")])?.reason == "exchange error: 404: Code not found")
        let example = try Fixture.bytes("upbit/rest-status.json")
        #expect(Self.rejection(adapter, [example, example])?.reason == "expected 1 bodies, got 2")
    }

    /// `market_warning` gives the warning, the alert list the cautions (two alerts on XRP, one on
    /// the warned ETH); BTC has neither.
    @Test func bithumbDocumentedBodies() throws {
        let adapter = BithumbAdapter()
        #expect(adapter.marketStatusPaths == ["/v1/market/all?isDetails=true", "/v1/market/virtual_asset_warning"])
        let statuses = try adapter.parseMarketStatuses(bodies: [Fixture.bytes("bithumb/rest-status.json"), Fixture.bytes("bithumb/rest-alerts.json")])
        #expect(statuses == [
            Self.btc: .none,
            Self.eth: MarketFlags(warning: true, cautions: ["PRICE_DIFFERENCE_HIGH"]),
            Self.xrp: MarketFlags(cautions: ["PRICE_SUDDEN_FLUCTUATION", "TRADING_VOLUME_SUDDEN_FLUCTUATION"]),
        ])
    }

    /// No alert in force: an empty list; an alert of a market missing from the list still counts.
    @Test func bithumbAlertLists() throws {
        let adapter = BithumbAdapter()
        let markets = try Fixture.bytes("bithumb/rest-status.json")
        #expect(try adapter.parseMarketStatuses(bodies: [markets, Array("[]".utf8)])[Self.xrp] == MarketFlags.none)
        let alert = Array(#"[{"market":"KRW-SOL","warning_type":"EXCHANGE_TRADING_CONCENTRATION","end_date":"2025-01-10 12:00:00","warning_step":"CAUTION"}]"#.utf8)
        #expect(try adapter.parseMarketStatuses(bodies: [markets, alert])[Symbol(base: "SOL", quote: "KRW")]
            == MarketFlags(cautions: ["EXCHANGE_TRADING_CONCENTRATION"]))
    }

    @Test func bithumbMalformed() throws {
        let adapter = BithumbAdapter()
        let markets = try Fixture.bytes("bithumb/rest-status.json")
        let alerts = try Fixture.bytes("bithumb/rest-alerts.json")
        #expect(Self.rejection(adapter, [Array(#"[{"market":"KRW-BTC"}]"#.utf8), alerts])?.reason == "missing field market_warning")
        #expect(Self.rejection(adapter, [Array(#"[{"market":"KRW-BTC","market_warning":"DANGER"}]"#.utf8), alerts])?.reason
            == "market_warning DANGER is neither NONE nor CAUTION")
        #expect(Self.rejection(adapter, [Array(#"[{"market":"KRW-BTC","market_warning":true}]"#.utf8), alerts]) != nil)
        #expect(Self.rejection(adapter, [markets, Array(#"[{"market":"KRW-BTC"}]"#.utf8)])?.reason == "missing field warning_type")
        #expect(Self.rejection(adapter, [markets, Array(#"[{"warning_type":"PRICE_DIFFERENCE_HIGH"}]"#.utf8)])?.reason == "missing field market")
        #expect(Self.rejection(adapter, [markets, Array(#"[{"market":"KRW-BTC","warning_type":"a\"b"}]"#.utf8)]) != nil)
        #expect(Self.rejection(adapter, [markets, Array(#"{"error":{"name":"500","message":"busy"}}"#.utf8)])?.reason == "exchange error: 500: busy")
        #expect(Self.rejection(adapter, [markets])?.reason == "expected 2 bodies, got 1")
    }

    /// Binance, Bybit, Coinone and Bithumb's legacy API flag nothing coinflux reads.
    @Test func otherExchangesHaveNoFlags() {
        let flagging = ExchangeRegistry.all.filter { $0 is any MarketStatusAdapter }.map(\.exchange)
        #expect(flagging == [.upbit, .bithumb])
        #expect(!(ExchangeRegistry.adapter(for: .bithumb, bithumbAPI: .legacy) is any MarketStatusAdapter))
    }
}
