import CoinfluxCore
import Foundation
import Simulator
import Testing

/// The book faults over real sockets: a gap breaks the ids, a crossed book arrives crossed.
@Suite("Order-book faults")
struct BookFaultTests {
    static let btcUSDT = Symbol(base: "BTC", quote: "USDT")
    static let btcKRW = Symbol(base: "BTC", quote: "KRW")

    @Test("bookGap: Binance's next event is skipped (U > previous u + 1); Bybit's u jumps")
    func gap() async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@depth@100ms") { binance in
                try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { bybit in
                    try await bybit.send(text: #"{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}"#)
                    var lastU = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" }?.1["u"] as? Int)
                    var lastBybit = try #require(try await bybit.nextObject { $0["type"] as? String == "delta" }?.1)
                    simulator.inject(.bookGap(Self.btcUSDT), into: .binance)
                    try #expect(await http(.POST, port: port, "/admin/bybit/book-gap?symbol=BTC-USDT").status == 200)
                    var jumps = 0
                    for _ in 0..<8 {
                        let event = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" }?.1)
                        let first = try #require(event["U"] as? Int)
                        if first > lastU + 1 { jumps += 1 } else { #expect(first == lastU + 1) }
                        lastU = try #require(event["u"] as? Int)
                    }
                    #expect(jumps == 1, "exactly one event missing")
                    var bybitJumps = 0
                    for _ in 0..<8 {
                        let delta = try #require(try await bybit.nextObject { $0["type"] as? String == "delta" }?.1)
                        let u = try #require((delta["data"] as? [String: Any])?["u"] as? Int)
                        let previous = try #require((lastBybit["data"] as? [String: Any])?["u"] as? Int)
                        if u == previous + 2 { bybitJumps += 1 } else { #expect(u == previous + 1) }
                        lastBybit = delta
                    }
                    #expect(bybitJumps == 1)
                }
            }
            #expect(simulator.counters(for: .binance).bookMessagesSkipped == 1)
            #expect(simulator.counters(for: .bybit).bookMessagesSkipped == 1)
            try #expect(await http(.POST, port: port, "/admin/bybit/book-gap").status == 400)
        }
    }

    @Test("crossedBook: Binance's next delta adds a bid at the best ask; Upbit's and Coinone's next book has bid ≥ ask")
    func crossed() async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@depth@100ms") { binance in
                _ = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" })
                simulator.inject(.crossedBook(Self.btcUSDT), into: .binance)
                var crossedEvents = 0
                for _ in 0..<5 {
                    let event = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" }?.1)
                    let served = try #require(simulator.book(of: Self.btcUSDT, on: .binance, tick: bookTick(ms: event["E"])))
                    let bestAsk = decimal(served.asks.first?.price)
                    let bids = try #require(event["b"] as? [[String]])
                    if bids.contains(where: { decimal($0[0]) >= bestAsk && decimal($0[1]) > 0 }) { crossedEvents += 1 }
                }
                #expect(crossedEvents == 1)
            }
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { upbit in
                try await upbit.send(text: #"[{"ticket":"c"},{"type":"orderbook","codes":["KRW-BTC.5"]}]"#)
                _ = try #require(try await upbit.nextData())
                try #expect(await http(.POST, port: port, "/admin/upbit/crossed-book?symbol=BTC-KRW").status == 200)
                var crossedFrames = 0
                for _ in 0..<5 {
                    let units = try #require(try await upbit.nextData()?.object?["orderbook_units"] as? [[String: Any]])
                    let first = try #require(units.first)
                    if decimal(first["bid_price"]) >= decimal(first["ask_price"]) { crossedFrames += 1 }
                    #expect(units.count == 5)
                }
                #expect(crossedFrames == 1)
            }
            try await TestWebSocketClient.connect(port: port, path: "/coinone/") { coinone in
                try await coinone.send(text: #"{"request_type":"SUBSCRIBE","channel":"ORDERBOOK","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#)
                _ = try #require(try await coinone.nextObject { $0["response_type"] as? String == "DATA" })
                simulator.inject(.crossedBook(Self.btcKRW), into: .coinone)
                var crossedFrames = 0
                for _ in 0..<5 {
                    let data = try #require(try await coinone.nextObject { $0["response_type"] as? String == "DATA" }?.1["data"] as? [String: Any])
                    let bestBid = try #require((data["bids"] as? [[String: String]])?.first.map { decimal($0["price"]) })
                    let bestAsk = try #require((data["asks"] as? [[String: String]])?.last.map { decimal($0["price"]) })
                    if bestBid >= bestAsk { crossedFrames += 1 }
                }
                #expect(crossedFrames == 1)
            }
            #expect(simulator.counters(for: .binance).crossedBooksSent == 1)
            #expect(simulator.counters(for: .upbit).crossedBooksSent == 1)
            #expect(simulator.counters(for: .coinone).crossedBooksSent == 1)
        }
    }
}
