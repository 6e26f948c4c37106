import CoinfluxCore
import Foundation
import Logging
import Simulator
import TestSupport
import Testing

/// Two collectors on the same exchanges, active-active, into one topic, against one collector on
/// the same simulator: the processor drops what the second one repeats (trade ids, ticker event
/// times), so the stored data is that of one collector, and losing either collector loses nothing.
@Suite("Redundant collectors", .serialized, .timeLimit(.minutes(10)),
       .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable)))
struct RedundantCollectorTests {
    @Test("two collectors into one topic equal one collector: trades and candles equal the log, the same ticker points and premiums, EMAs converged to the same; one collector killed, nothing missing")
    func twoCollectorsEqualOne() async throws {
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 2, tickersPerSecond: 1, seed: 25),
                                          logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        let single = try await Pipeline.start(on: simulator, port: port)
        let redundant = try await Pipeline.start(on: simulator, port: port)
        let second = try redundant.startAnotherCollector()
        let series = CompleteDataTests.series
        try await single.waitForTrades(of: series)
        try await redundant.waitForTrades(of: series)
        try await Task.sleep(for: .seconds(30))
        // Either collector can go: the other carries the data alone.
        let killedAt = wallClockNanoseconds()
        redundant.collector.killNow()
        try await Task.sleep(for: .seconds(20))
        try await redundant.waitForAMinuteToClose(after: wallClockNanoseconds())

        var compared = (tickers: 0, premiums: 0)
        for (exchange, symbol) in series {
            try await redundant.expectTradesAndCandlesEqualTheLog(exchange, symbol)
            // The second collector, started beside the first, may record a short `restart` gap from
            // the last event the first had produced when it looked (repaired: the trades were
            // there); losing one of the two records none.
            let gaps = try await redundant.gaps(exchange, symbol, channel: "trade")
            #expect(gaps.allSatisfy { $0.end < killedAt && $0.repaired == "yes" }, "\(exchange) \(symbol): gaps: \(gaps)")

            let mine = try await redundant.tickers(exchange, symbol), theirs = try await single.tickers(exchange, symbol)
            guard let start = [mine.keys.min(), theirs.keys.min()].compactMap({ $0 }).max(),
                  let end = [mine.keys.max(), theirs.keys.max()].compactMap({ $0 }).min(), start < end else {
                Issue.record("\(exchange) \(symbol): no common stretch of tickers")
                continue
            }
            // From 2 s after the later pipeline's first ticker: Upbit and Bithumb answer each
            // subscription with a snapshot stamped with that moment, which the other pipeline's
            // collector, subscribed at another moment, did not get.
            let window = (start + 2_000_000_000)...(end - 3_000_000_000)
            let mineInWindow = mine.filter { window.contains($0.key) }, theirsInWindow = theirs.filter { window.contains($0.key) }
            #expect(mineInWindow.mapValues(\.price) == theirsInWindow.mapValues(\.price),
                    "\(exchange) \(symbol): \(mineInWindow.count) ticker points against one collector's \(theirsInWindow.count); only here: \(Set(mineInWindow.keys).subtracting(theirsInWindow.keys).sorted()), only there: \(Set(theirsInWindow.keys).subtracting(mineInWindow.keys).sorted()), window \(window)")
            // The EMAs started from different first ticks; α = 0.1 per tick forgets that within a minute.
            for (time, ticker) in mineInWindow where time > start + 90_000_000_000 {
                guard let other = theirsInWindow[time] else { continue }
                #expect(abs(ticker.ema - other.ema) <= 1e-6 * abs(other.ema), "\(exchange) \(symbol) EMA at \(time): \(ticker.ema) against \(other.ema)")
            }
            compared.tickers += mineInWindow.count

            let myPremiums = try await redundant.premiumTimes(exchange, symbol).filter(window.contains)
            let theirPremiums = try await single.premiumTimes(exchange, symbol).filter(window.contains)
            #expect(myPremiums == theirPremiums, "\(exchange) \(symbol): \(myPremiums.count) premium points against \(theirPremiums.count)")
            compared.premiums += myPremiums.count
        }
        #expect(compared.tickers > 500 && compared.premiums > 100)
        print("redundant collectors: \(compared.tickers) ticker and \(compared.premiums) premium points equal to one collector's; trades and candles equal the log")
        _ = await second.terminate(within: .seconds(30))
        _ = await single.collector.terminate(within: .seconds(30))
        _ = await single.processor.terminate(within: .seconds(30))
        await redundant.stop()
    }
}

extension Pipeline {
    struct StoredTicker: Equatable {
        var price: Double
        var ema: Double
    }

    /// The ticker points of a series by time (ns).
    func tickers(_ exchange: Exchange, _ symbol: Symbol) async throws -> [Int64: StoredTicker] {
        let result = try await harness.influx.query(
            "SELECT price, ema FROM ticker WHERE exchange = '\(exchange.rawValue)' AND symbol = '\(symbol)'", database: database)
        var tickers: [Int64: StoredTicker] = [:]
        for row in result.first?.values ?? [] where row.count == 3 {
            guard let time = row[0].integer, let price = row[1].double, let ema = row[2].double else { continue }
            tickers[time] = StoredTicker(price: price, ema: ema)
        }
        return tickers
    }

    /// The times (ns) of a series' premium points.
    func premiumTimes(_ exchange: Exchange, _ symbol: Symbol) async throws -> Set<Int64> {
        let result = try await harness.influx.query(
            "SELECT premium FROM premium WHERE exchange = '\(exchange.rawValue)' AND symbol = '\(symbol)'", database: database)
        return Set((result.first?.values ?? []).compactMap { $0.first?.integer })
    }
}
