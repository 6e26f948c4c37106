import CoinfluxCore
import Testing

@testable import Simulator

/// The market model without I/O: the seeded schedule, the trade log, the numbering styles.
@Suite("Market model")
struct MarketModelTests {
    static let start: Int64 = 1_700_000_000_000_000  // epoch µs

    @Test("a seeded market replays the same trades however often it is looked at")
    func deterministic() {
        let symbol = Symbol(base: "BTC", quote: "USDT")
        let once = Market(exchange: .binance, symbol: symbol, seed: 42, startMicros: Self.start, tradesPerSecond: 50, booksPerSecond: 10, logCapacity: 10_000, volumeRank: 0)
        let often = Market(exchange: .binance, symbol: symbol, seed: 42, startMicros: Self.start, tradesPerSecond: 50, booksPerSecond: 10, logCapacity: 10_000, volumeRank: 0)
        for step in stride(from: Int64(0), through: 20_000_000, by: 7_919) {
            _ = often.head(at: Self.start + step)
        }
        let end = Self.start + 20_000_000
        let a = once.inspect(at: end) { log, _ in log.trades(from: 0, limit: .max) }
        let b = often.inspect(at: end) { log, _ in log.trades(from: 0, limit: .max) }
        #expect(a == b)
        #expect((800...1_200).contains(a.count), "about 50 trades/s for 20 s: \(a.count)")
        #expect(a.allSatisfy { (55_000...75_000).contains($0.price) })
        #expect(zip(a, a.dropFirst()).allSatisfy { $1.time >= $0.time && $1.number == $0.number + 1 })
        #expect(zip(a, a.dropFirst()).contains { $1.time == $0.time }, "several trades can share a millisecond")
    }

    @Test("ids: Binance consecutive, Upbit/Bithumb/Coinone time-scaled, Bybit sparse", arguments: Exchange.allCases)
    func numbering(exchange: Exchange) {
        let market = Market(exchange: exchange, symbol: Symbol(base: "ETH", quote: "KRW"), seed: 1, startMicros: Self.start,
                            tradesPerSecond: 2_000, booksPerSecond: 10, logCapacity: 10_000, volumeRank: 0)
        let trades = market.inspect(at: Self.start + 1_000_000) { log, _ in log.trades(from: 0, limit: .max) }
        let steps = zip(trades, trades.dropFirst()).map { $1.id - $0.id }
        #expect(steps.allSatisfy { $0 > 0 })
        switch exchange {
        case .binance: #expect(steps.allSatisfy { $0 == 1 })
        case .upbit, .bithumb: #expect(trades.allSatisfy { $0.id >= $0.time * 10_000 && $0.id > 1 << 53 })
        case .coinone: #expect(trades.allSatisfy { $0.id >= $0.time * 1_000 })
        case .bybit: #expect(steps.contains { $0 > 1 } && steps.allSatisfy { $0 <= 3 })
        }
    }

    @Test("the log keeps the last `capacity` trades, addressed by number; a reader too far behind loses the backlog")
    func logAndBacklog() {
        var log = TradeLog(capacity: 4)
        for number in Int64(0)..<10 {
            log.append(SimulatedTrade(number: number, id: 100 + number, price: 1, quantity: 1, takerBought: true, time: number * 10))
        }
        #expect(log.startNumber == 6 && log.endNumber == 10 && log.count == 4)
        #expect(log.trades(from: 0, limit: 10).map(\.number) == [6, 7, 8, 9])
        #expect(log[5] == nil && log[9]?.id == 109)
        #expect(log.firstNumber { $0.time >= 75 } == 8)
        #expect(log.firstNumber { $0.id >= 1_000 } == 10)

        let market = Market(exchange: .binance, symbol: Symbol(base: "BTC", quote: "USDT"), seed: 3, startMicros: Self.start,
                            tradesPerSecond: 10_000, booksPerSecond: 10, logCapacity: 100_000, volumeRank: 0)
        let read = market.read(from: 0, at: Self.start + 2_000_000, limit: 10)
        #expect(read.dropped > SimulatorConfiguration.maxBacklog, "20 000 trades behind")
        #expect(read.trades.isEmpty && read.next == market.head(at: Self.start + 2_000_000))
    }

    @Test("a market left alone for long skips ahead instead of simulating what its log cannot keep")
    func fastForward() {
        let market = Market(exchange: .binance, symbol: Symbol(base: "BTC", quote: "USDT"), seed: 3, startMicros: Self.start,
                            tradesPerSecond: 1_000, booksPerSecond: 10, logCapacity: 100, volumeRank: 0)
        let head = market.head(at: Self.start + 3_600_000_000)  // an hour: about 3.6 million trades due
        #expect((3_500_000...3_700_000).contains(head))
        let kept = market.inspect(at: Self.start + 3_600_000_000) { log, _ in log.trades(from: 0, limit: .max) }
        #expect(kept.count == 100 && zip(kept, kept.dropFirst()).allSatisfy { $1.id == $0.id + 1 })
    }

    @Test("rates and the log size are clamped; depth defaults to the log")
    func clamps() {
        #expect(SimulatorConfiguration(tradesPerSecond: .infinity).effectiveTradesPerSecond == 0)
        #expect(SimulatorConfiguration(tradesPerSecond: -5).effectiveTradesPerSecond == 0)
        #expect(SimulatorConfiguration(tickersPerSecond: 1e12).effectiveTickersPerSecond == 100_000)
        #expect(SimulatorConfiguration(tradeLogCapacity: 0).effectiveLogCapacity == 1)
        #expect(SimulatorConfiguration(tradeLogCapacity: 100, restHistoryDepth: [.bybit: 30]).historyDepth(.bybit) == 30)
        #expect(SimulatorConfiguration(tradeLogCapacity: 100).historyDepth(.upbit) == 100)
        #expect(MemoryLayout<SimulatedTrade>.stride <= 48, "the documented bound per logged trade")
    }

    @Test("two simulators with one seed have the same markets")
    func sameSeedSameMarkets() async throws {
        let configuration = SimulatorConfiguration(tradesPerSecond: 100, seed: 99)
        let first = ExchangeSimulator(configuration: configuration)
        let second = ExchangeSimulator(configuration: configuration)
        try await Task.sleep(for: .milliseconds(300))
        let symbol = Symbol(base: "SOL", quote: "USDT")
        let a = first.trades(of: symbol, on: .binance).prefix(20)
        let b = second.trades(of: symbol, on: .binance).prefix(20)
        #expect(a.count == 20)
        #expect(a.map(\.id) == b.map(\.id) && a.map(\.price) == b.map(\.price) && a.map(\.size) == b.map(\.size))
    }
}
