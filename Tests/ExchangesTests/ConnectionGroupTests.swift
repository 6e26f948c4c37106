import CoinfluxCore
import Exchanges
import Testing

@Suite("Connection groups")
struct ConnectionGroupTests {
    let binance = BinanceAdapter().connectionPolicy

    /// `count` distinct symbols `C0-USDT`, `C1-USDT`, …
    func symbols(_ count: Int) -> [Symbol] {
        (0..<count).map { Symbol(base: "C\($0)", quote: "USDT") }
    }

    @Test func binanceDeclaresItsStreamLimitAndTheOthersNone() {
        #expect(binance.maximumStreamsPerConnection == 1_024)
        #expect(ConnectionPolicy.streamsPerSymbol == 2)
        for adapter in ExchangeRegistry.all where adapter.exchange != .binance {
            #expect(adapter.connectionPolicy.maximumStreamsPerConnection == .max, "\(adapter.exchange)")
        }
    }

    /// 1 024 streams are 512 symbols: one more needs a second connection.
    @Test(arguments: [(1, 1), (511, 1), (512, 1), (513, 2), (1_024, 2), (1_025, 3), (3_000, 6)])
    func binanceBoundaries(symbolCount: Int, connections: Int) {
        let groups = binance.connectionGroups(for: symbols(symbolCount))
        #expect(groups.count == connections)
        #expect(groups.allSatisfy { $0.count * ConnectionPolicy.streamsPerSymbol <= 1_024 })
        #expect(groups.dropLast().allSatisfy { $0.count == 512 }, "groups fill up in order")
    }

    @Test func orderIsKeptAndNoSymbolIsLostOrDuplicated() {
        let input = symbols(1_500).shuffled()
        let groups = binance.connectionGroups(for: input)
        #expect(groups.map(\.count) == [512, 512, 476])
        #expect(Array(groups.joined()) == input)
    }

    @Test func noSymbolsNoConnection() {
        #expect(binance.connectionGroups(for: []).isEmpty)
        #expect(binance.connectionGroups(for: [], streamsPerConnection: 2).isEmpty)
    }

    /// A repeated symbol would subscribe its streams twice, maybe on two connections: it is dropped.
    @Test func repeatedSymbolsAppearOnce() {
        let btc = Symbol(base: "BTC", quote: "USDT"), eth = Symbol(base: "ETH", quote: "USDT"), sol = Symbol(base: "SOL", quote: "USDT")
        let groups = binance.connectionGroups(for: [btc, eth, btc, sol, eth], streamsPerConnection: 4)
        #expect(groups == [[btc, eth], [sol]])
    }

    /// A configured lower limit splits by it; an odd limit rounds down to whole symbols; a limit above the
    /// exchange's own, or below one symbol's streams, is held to the bounds.
    @Test func configuredLimit() {
        #expect(binance.connectionGroups(for: symbols(5), streamsPerConnection: 4).map(\.count) == [2, 2, 1])
        #expect(binance.connectionGroups(for: symbols(5), streamsPerConnection: 5).map(\.count) == [2, 2, 1])
        #expect(binance.connectionGroups(for: symbols(3), streamsPerConnection: 2).map(\.count) == [1, 1, 1])
        #expect(binance.connectionGroups(for: symbols(3), streamsPerConnection: 1).map(\.count) == [1, 1, 1])
        #expect(binance.connectionGroups(for: symbols(1_025), streamsPerConnection: 4_096).map(\.count) == [512, 512, 1])
    }

    @Test func unlimitedExchangesUseOneConnection() {
        let upbit = UpbitAdapter().connectionPolicy
        #expect(upbit.connectionGroups(for: symbols(5_000)).count == 1)
        #expect(upbit.connectionGroups(for: symbols(5), streamsPerConnection: 4).map(\.count) == [2, 2, 1])
    }
}
