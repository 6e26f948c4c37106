import CoinfluxCore
import Foundation
import Simulator
import Testing

/// The book faults over real sockets: a gap breaks the ids, a crossed book arrives crossed.
@Suite("Order-book faults")
struct BookFaultTests {

    @Test("bookGap: Binance's next event is skipped (U > previous u + 1); Bybit's u jumps")
    func gap() async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@depth@100ms") { binance in
                try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { bybit in
                    try await bybit.send(text: #"{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}"#)
                    var lastU = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" }?.1["u"] as? Int)
                    var lastBybit = try #require(try await bybit.nextObject { $0["type"] as? String == "delta" }?.1)
                    let injected = nowMilliseconds()
                    simulator.inject(.bookGap(btcUSDT), into: .binance)
                    try #expect(await http(.POST, port: port, "/admin/bybit/book-gap?symbol=BTC-USDT").status == 200)
                    // Frames sent before the fault may still be queued on a loaded machine: read a second past it.
                    var jumps = 0
                    var time = 0
                    while time < injected + 1_000 {
                        let event = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" }?.1)
                        let first = try #require(event["U"] as? Int)
                        if first > lastU + 1 { jumps += 1 } else { #expect(first == lastU + 1) }
                        lastU = try #require(event["u"] as? Int)
                        time = try #require(event["E"] as? Int)
                    }
                    #expect(jumps == 1, "exactly one event missing")
                    var bybitJumps = 0
                    time = 0
                    while time < injected + 1_000 {
                        let delta = try #require(try await bybit.nextObject { $0["type"] as? String == "delta" }?.1)
                        let u = try #require((delta["data"] as? [String: Any])?["u"] as? Int)
                        let previous = try #require((lastBybit["data"] as? [String: Any])?["u"] as? Int)
                        if u == previous + 2 { bybitJumps += 1 } else { #expect(u == previous + 1) }
                        lastBybit = delta
                        time = try #require(delta["ts"] as? Int)
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
                let injected = nowMilliseconds()
                simulator.inject(.crossedBook(btcUSDT), into: .binance)
                var crossedEvents = 0
                var time = 0
                while time < injected + 1_000 {
                    let event = try #require(try await binance.nextObject { $0["e"] as? String == "depthUpdate" }?.1)
                    time = try #require(event["E"] as? Int)
                    let served = try #require(simulator.book(of: btcUSDT, on: .binance, tick: bookTick(ms: event["E"])))
                    let bestAsk = decimal(served.asks.first?.price)
                    let bids = try #require(event["b"] as? [[String]])
                    if bids.contains(where: { decimal($0[0]) >= bestAsk && decimal($0[1]) > 0 }) { crossedEvents += 1 }
                }
                #expect(crossedEvents == 1)
            }
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { upbit in
                try await upbit.send(text: #"[{"ticket":"c"},{"type":"orderbook","codes":["KRW-BTC.5"]}]"#)
                _ = try #require(try await upbit.nextData())
                let injected = nowMilliseconds()
                try #expect(await http(.POST, port: port, "/admin/upbit/crossed-book?symbol=BTC-KRW").status == 200)
                var crossedFrames = 0
                var time = 0
                while time < injected + 1_000 {
                    let frame = try #require(try await upbit.nextData()?.object)
                    time = try #require(frame["timestamp"] as? Int)
                    let units = try #require(frame["orderbook_units"] as? [[String: Any]])
                    let first = try #require(units.first)
                    if decimal(first["bid_price"]) >= decimal(first["ask_price"]) { crossedFrames += 1 }
                    #expect(units.count == 5)
                }
                #expect(crossedFrames == 1)
            }
            try await TestWebSocketClient.connect(port: port, path: "/coinone/") { coinone in
                try await coinone.send(text: #"{"request_type":"SUBSCRIBE","channel":"ORDERBOOK","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#)
                _ = try #require(try await coinone.nextObject { $0["response_type"] as? String == "DATA" })
                let injected = nowMilliseconds()
                simulator.inject(.crossedBook(btcKRW), into: .coinone)
                var crossedFrames = 0
                var time = 0
                while time < injected + 1_000 {
                    let data = try #require(try await coinone.nextObject { $0["response_type"] as? String == "DATA" }?.1["data"] as? [String: Any])
                    time = try #require(data["timestamp"] as? Int)
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
