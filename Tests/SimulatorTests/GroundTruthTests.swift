import CoinfluxCore
import Foundation
import Simulator
import Testing

/// The markets are the exchange's, not the connection's: every connection sees the same trades,
/// the markets trade while nobody watches, and the trade log is what clients received.
@Suite("Ground truth")
struct GroundTruthTests {
    @Test("two connections to one exchange receive the same trades", arguments: ExchangeCase.all)
    func twoConnectionsSameTrades(exchange: ExchangeCase) async throws {
        try await withSimulator(.testing(tradesPerSecond: 50)) { _, port in
            try await TestWebSocketClient.subscribed(exchange, port: port) { first in
                _ = try await first.trades(exchange, count: 1)
                let second = try await TestWebSocketClient.subscribed(exchange, port: port) { try await $0.trades(exchange, count: 20) }
                var firstTrades = try await first.trades(exchange, count: 20)
                while firstTrades.count < 400, !firstTrades.contains(where: { $0 == second[second.count - 1] }) {
                    firstTrades += try await first.trades(exchange, count: 10)
                }
                let secondFirst = second[0]
                let index = firstTrades.firstIndex(of: secondFirst)
                let start = try #require(index, "the first connection saw the second's first trade")
                let overlap = Array(firstTrades[start...].prefix(second.count))
                #expect(overlap.count == second.count)
                #expect(overlap == second, "same trades, same order")
            }
        }
    }

    @Test("a market keeps trading while nobody is connected; the ids continue the exchange's way", arguments: ExchangeCase.all)
    func tradesWhileNobodyIsConnected(exchange: ExchangeCase) async throws {
        try await withSimulator(.testing(tradesPerSecond: 40)) { simulator, port in
            let before = try await TestWebSocketClient.subscribed(exchange, port: port) { try await $0.trades(exchange, count: 5) }
            let logged = simulator.trades(of: exchange.symbol, on: exchange.exchange).count
            try await Task.sleep(for: .milliseconds(1_500))
            let after = try await TestWebSocketClient.subscribed(exchange, port: port) { try await $0.trades(exchange, count: 5) }
            let log = simulator.trades(of: exchange.symbol, on: exchange.exchange)
            #expect(log.count >= logged + 30, "about 60 trades in 1.5 s at 40/s; the log grew from \(logged) to \(log.count)")
            #expect(zip(log, log.dropFirst()).allSatisfy { $1.number == $0.number + 1 && $1.time >= $0.time })
            let last = try #require(before.last), next = try #require(after.first)
            let lastIndex = try #require(log.firstIndex { last.matches($0) })
            let nextIndex = try #require(log.firstIndex { next.matches($0) })
            #expect(nextIndex - lastIndex >= 30, "the trades between the connections are in the log")
            if exchange.idKey != nil {
                let ids = log[lastIndex...nextIndex].compactMap { Int64($0.id) }
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 > $0 }, "ids increase")
                if exchange.exchange == .binance {
                    #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "Binance ids stay consecutive across the gap")
                }
            }
        }
    }

    @Test("Binance trade ids are consecutive per symbol with tickers interleaved")
    func binanceConsecutiveWithTickers() async throws {
        try await withSimulator(.testing(tradesPerSecond: 100, tickersPerSecond: 100)) { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["btcusdt@ticker","btcusdt@trade","ethusdt@trade","ethusdt@ticker"],"id":1}"#)
                var ids: [String: [Int64]] = [:]
                var tickersBetweenTrades = 0
                while ids.values.map(\.count).min() ?? 0 < 100 || ids.count < 2 {
                    let frame = try #require(try await client.nextData())
                    guard let object = frame.object, let symbol = object["s"] as? String else { continue }
                    if object["e"] as? String == "24hrTicker" {
                        tickersBetweenTrades += ids.isEmpty ? 0 : 1
                    } else if let id = rawNumber("t", in: frame.text).flatMap({ Int64($0) }) {
                        ids[symbol, default: []].append(id)
                    }
                }
                #expect(tickersBetweenTrades > 10, "tickers interleaved")
                for (symbol, list) in ids {
                    #expect(zip(list, list.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(symbol): \(list.prefix(10))…")
                }
            }
        }
    }

    @Test("the trade log equals what a connected client received", arguments: ExchangeCase.all)
    func logEqualsReceived(exchange: ExchangeCase) async throws {
        try await withSimulator(.testing(tradesPerSecond: 100)) { simulator, port in
            let received = try await TestWebSocketClient.subscribed(exchange, port: port) { try await $0.trades(exchange, count: 60) }
            let log = simulator.trades(of: exchange.symbol, on: exchange.exchange)
            let start = try #require(log.firstIndex { received[0].matches($0) })
            let logged = Array(log[start...].prefix(received.count))
            #expect(logged.count == received.count)
            for (entry, trade) in zip(logged, received) {
                #expect(trade.matches(entry), "log \(entry) vs received \(trade)")
            }
            // Over HTTP too, for tests in other processes.
            let since = try #require(received.first?.time ?? logged.first?.time)
            let body = try #require(try await http(port: port, "/admin/\(exchange.exchange.rawValue)/trades?symbol=\(exchange.symbol)&since_ms=\(since)").object)
            let trades = try #require(body["trades"] as? [[String: Any]])
            #expect(trades.first?["time_ms"] as? Int ?? 0 >= Int(since))
            #expect(trades.contains { $0["id"] as? String == logged[0].id && $0["price"] as? String == logged[0].price })
            #expect(trades.allSatisfy { ["buy", "sell"].contains($0["side"] as? String ?? "") && $0["size"] is String })
        }
    }
}
