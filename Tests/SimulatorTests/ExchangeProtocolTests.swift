import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

/// What every exchange's WebSocket API does, one test per behaviour over all six APIs.
@Suite("Exchange protocols")
struct ExchangeProtocolTests {
    @Test("subscribing gets the exchange's acks, then ticker and trade frames with its field types", arguments: ExchangeCase.all)
    func subscribeTickerAndTrade(exchange: ExchangeCase) async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.subscribed(exchange, port: port) { client in
                var acks = 0, ticker: [String: Any]?, trade: [String: Any]?
                for _ in 0..<200 where ticker == nil || trade == nil {
                    let frame = try #require(try await client.nextData())
                    #expect(frame.opcode == exchange.opcode)
                    let object = try #require(frame.object, "every frame is a JSON object")
                    guard object["stream_type"] as? String != "SNAPSHOT" else { continue }  // Upbit-style: before the stream
                    if let fields = exchange.ticker(object) { ticker = fields } else if let fields = exchange.trade(object) { trade = fields } else { acks += 1 }
                }
                #expect(acks == exchange.acks, "acks before the data")
                let tickerFields = try #require(ticker)
                let tradeFields = try #require(trade)
                #expect(exchange.priceRange.contains(exchange.number(tickerFields[exchange.lastPriceKey]) ?? 0))
                #expect(exchange.priceRange.contains(exchange.number(tradeFields[exchange.priceKey]) ?? 0))
                #expect((exchange.number(tradeFields[exchange.sizeKey]) ?? 0) > 0)
                if exchange.timeKey == "contDtm" {
                    #expect(tradeFields[exchange.timeKey] is String)
                } else {
                    #expect(abs(Int64(jsonNumber(tradeFields[exchange.timeKey]) ?? 0) - nowMilliseconds()) < 5_000)
                }
            }
            #expect(simulator.counters(for: exchange.exchange).subscriptionsReceived == exchange.subscribe.count)
            // Counted once the batch reached the socket, which may be after the client read it.
            try #expect(await eventually { simulator.counters(for: exchange.exchange).tradesSent >= 1 })
        }
    }

    @Test("a bad request gets the exchange's error frame", arguments: ExchangeCase.all)
    func badRequest(exchange: ExchangeCase) async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: exchange.path) { client in
                for _ in 0..<exchange.greetings {
                    _ = try await client.nextData()
                }
                try await client.send(text: exchange.badRequest)
                let reply = try #require(try await client.nextData()?.object)
                #expect(exchange.isError(reply), "\(reply)")
            }
        }
    }

    @Test("trade ids are numbered the exchange's way", arguments: ExchangeCase.all)
    func tradeIDs(exchange: ExchangeCase) async throws {
        try await withSimulator(.testing(tradesPerSecond: 200)) { _, port in
            let trades = try await TestWebSocketClient.subscribed(exchange, port: port) { try await $0.trades(exchange, count: 40) }
            let ids = trades.compactMap { $0.id.flatMap { Int64($0) } }
            switch exchange.exchange {
            case _ where exchange.idKey == nil:
                #expect(ids.isEmpty, "Bithumb legacy trades carry no id")
            case .binance:
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "consecutive: \(ids)")
            case .upbit, .bithumb:
                #expect(ids.allSatisfy { $0 > 1 << 53 }, "beyond 2^53")
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 > $0 }, "increasing")
                #expect(zip(ids, ids.dropFirst()).contains { $1 > $0 + 1 }, "not consecutive")
            case .bybit, .coinone:
                #expect(ids.count == trades.count, "numeric strings")
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 > $0 }, "increasing")
                #expect(zip(ids, ids.dropFirst()).contains { $1 > $0 + 1 }, "not consecutive")
            }
        }
    }

    @Test("a client breaking the keepalive rule is dropped, one keeping it stays", arguments: ExchangeCase.all, [false, true])
    func keepalive(exchange: ExchangeCase, keeping: Bool) async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            // Timed from before the connection opens: the server's clock cannot start earlier.
            let clock = ContinuousClock()
            let connecting = clock.now
            try await TestWebSocketClient.subscribed(exchange, port: port, autoPong: keeping) { client in
                let end = clock.now + .milliseconds(4_500)
                var nextPing = clock.now
                var closed = false
                while clock.now < end, !closed {
                    if keeping, clock.now >= nextPing {
                        switch exchange.keepalive {
                        case .idle(let ping), .applicationPing(let ping): try await client.send(text: ping)
                        case .serverPing, .none: break
                        }
                        nextPing = clock.now + .milliseconds(300)
                    }
                    guard let frame = try await client.next(within: .seconds(3)) else { break }
                    closed = frame.opcode == .connectionClose
                }
                let expectDrop: Bool
                switch exchange.keepalive {
                case .none: expectDrop = false
                default: expectDrop = !keeping
                }
                #expect(closed == expectDrop)
                if closed {
                    #expect(clock.now - connecting >= .milliseconds(1_800), "dropped only after the timeout")
                }
            }
            let expected: Int
            switch exchange.keepalive {
            case .none: expected = 0
            default: expected = keeping ? 0 : 1
            }
            #expect(simulator.counters(for: exchange.exchange).keepaliveDrops == expected)
        }
    }
}
