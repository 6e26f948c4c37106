import CoinfluxCore
import Collector
import Exchanges
import Testing

/// The pure parts of market discovery: which listed markets a selection takes, and how a changed
/// symbol set is spread over an exchange's connections.
@Suite("Market selection")
struct MarketSelectionTests {
    static func symbol(_ text: String) -> Symbol { Symbol(normalized: text) ?? Symbol(base: "?", quote: "?") }
    static func symbols(_ texts: String...) -> [Symbol] { texts.map(symbol) }

    /// BTC, ETH and SOL in USDT, ETH in BTC, XRP in USDT halted, BTC in USDC.
    static let listed = [
        ListedMarket(symbol: symbol("BTC-USDT"), isTrading: true), ListedMarket(symbol: symbol("ETH-USDT"), isTrading: true),
        ListedMarket(symbol: symbol("ETH-BTC"), isTrading: true), ListedMarket(symbol: symbol("XRP-USDT"), isTrading: false),
        ListedMarket(symbol: symbol("SOL-USDT"), isTrading: true), ListedMarket(symbol: symbol("BTC-USDC"), isTrading: true),
        ListedMarket(symbol: symbol("BTC-USDT"), isTrading: true),
    ]

    @Test func allTakesEveryTradingMarketOfTheQuotesOnceInListOrder() {
        #expect(MarketSelection.all.select(from: Self.listed, quotes: ["USDT"]) == Self.symbols("BTC-USDT", "ETH-USDT", "SOL-USDT"))
        #expect(MarketSelection.all.select(from: Self.listed, quotes: ["USDT", "USDC"])
            == Self.symbols("BTC-USDT", "ETH-USDT", "SOL-USDT", "BTC-USDC"))
        #expect(MarketSelection.all.select(from: Self.listed, quotes: ["KRW"]) == [])
        #expect(MarketSelection.all.select(from: [], quotes: ["USDT"]) == [])
    }

    @Test func topTakesTheHighestQuoteVolumesHighestFirst() {
        let volumes: [Symbol: Double] = [
            Self.symbol("BTC-USDT"): 5e9, Self.symbol("ETH-USDT"): 2e9, Self.symbol("SOL-USDT"): 3e9,
            Self.symbol("XRP-USDT"): 9e9, Self.symbol("ETH-BTC"): 1e12,
        ]
        #expect(MarketSelection.top(2).select(from: Self.listed, quotes: ["USDT"], quoteVolumes: volumes) == Self.symbols("BTC-USDT", "SOL-USDT"))
        #expect(MarketSelection.top(10).select(from: Self.listed, quotes: ["USDT"], quoteVolumes: volumes)
            == Self.symbols("BTC-USDT", "SOL-USDT", "ETH-USDT"), "a halted market is not taken, however busy")
    }

    @Test func marketsWithoutAUsableVolumeRankLastInListOrder() {
        let volumes: [Symbol: Double] = [Self.symbol("SOL-USDT"): 1, Self.symbol("ETH-USDT"): .nan, Self.symbol("BTC-USDC"): .infinity]
        #expect(MarketSelection.top(4).select(from: Self.listed, quotes: ["USDT", "USDC"], quoteVolumes: volumes)
            == Self.symbols("SOL-USDT", "BTC-USDT", "ETH-USDT", "BTC-USDC"))
        #expect(MarketSelection.top(2).select(from: Self.listed, quotes: ["USDT"]) == Self.symbols("BTC-USDT", "ETH-USDT"))
    }

    @Test func aFixedListIsKeptWhateverIsListed() {
        let fixed = Self.symbols("DOGE-USDT", "BTC-USDT")
        #expect(MarketSelection.symbols(fixed).select(from: Self.listed, quotes: ["USDT"]) == fixed)
        #expect(!MarketSelection.symbols(fixed).isDiscovered)
        #expect(MarketSelection.all.isDiscovered && MarketSelection.top(3).isDiscovered)
        #expect(MarketSelection.top(3).needsVolumes && !MarketSelection.all.needsVolumes)
        #expect(MarketSelection.top(3).maximumCount == 3 && MarketSelection.all.maximumCount == nil)
        #expect("\(MarketSelection.top(3))" == "top:3" && "\(MarketSelection.all)" == "all")
    }

    @Test func connectionsKeepTheirSymbolsAndNewOnesFillTheRoom() {
        let current = [Self.symbols("A-USDT", "B-USDT"), Self.symbols("C-USDT"), []]
        let changed = SymbolAssignment(current: current, wanted: Self.symbols("C-USDT", "D-USDT", "A-USDT", "E-USDT", "F-USDT"), perConnection: 2)
        #expect(changed.groups == [Self.symbols("A-USDT", "D-USDT"), Self.symbols("C-USDT", "E-USDT"), Self.symbols("F-USDT")])
        #expect(changed.leftOut == [])

        let unchanged = SymbolAssignment(current: current, wanted: Self.symbols("C-USDT", "B-USDT", "A-USDT"), perConnection: 2)
        #expect(unchanged.groups == current, "the same set in another order moves nothing")
    }

    @Test func aConnectionWhoseSymbolsAllGoIsLeftEmptyAndWhatFitsNowhereIsLeftOut() {
        let current = [Self.symbols("A-USDT"), Self.symbols("B-USDT")]
        let shrunk = SymbolAssignment(current: current, wanted: Self.symbols("B-USDT"), perConnection: 1)
        #expect(shrunk.groups == [[], Self.symbols("B-USDT")])
        let grown = SymbolAssignment(current: current, wanted: Self.symbols("A-USDT", "B-USDT", "C-USDT", "C-USDT"), perConnection: 1)
        #expect(grown.groups == current)
        #expect(grown.leftOut == Self.symbols("C-USDT"))
    }

    @Test func connectionsProvisionedForASelection() {
        let binance = BinanceAdapter().connectionPolicy
        #expect(ExchangeFeed.connections(for: 512, policy: binance) == 1)
        #expect(ExchangeFeed.connections(for: 513, policy: binance) == 2)
        #expect(ExchangeFeed.connections(for: 5, policy: binance, streamsPerConnection: 4) == 3)
        #expect(ExchangeFeed.connections(for: 0, policy: binance) == 1)
        #expect(ExchangeFeed.connections(for: 2_048, policy: UpbitAdapter().connectionPolicy) == 1)
    }
}
