import CoinfluxCore
import Foundation
import Simulator
import Testing

/// The book streams over real sockets: each exchange's subscription and frames, rebuilt into
/// the book the simulator reports for the same tick.
@Suite("Order-book streams")
struct OrderBookStreamTests {

    @Test("Binance: diff-depth events on the REST snapshot by Binance's procedure give the served book; ids contiguous")
    func binance() async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms"],"id":1}"#)
                _ = try #require(try await client.nextObject { $0["id"] as? Int == 1 })
                var buffered: [[String: Any]] = []
                for _ in 0..<3 {
                    buffered.append(try #require(try await client.nextObject { $0["e"] as? String == "depthUpdate" }?.1))
                }
                let rest = try await http(port: port, "/binance/api/v3/depth?symbol=BTCUSDT&limit=5000")
                #expect(rest.status == 200)
                let snapshot = try #require(rest.object)
                let lastUpdateID = try #require(snapshot["lastUpdateId"] as? Int)
                #expect(lastUpdateID >= (try #require(buffered.first?["U"] as? Int)) - 1, "the snapshot is not older than the first event")
                var book = LocalBook()
                try book.apply(bids: snapshot["bids"], asks: snapshot["asks"])
                #expect(book.bids.count == 50 && book.asks.count == 50)

                var local = lastUpdateID
                var applied = 0
                var lastEvent: [String: Any] = [:]
                while applied < 10 {
                    let event = buffered.isEmpty
                        ? try #require(try await client.nextObject { $0["e"] as? String == "depthUpdate" }?.1)
                        : buffered.removeFirst()
                    #expect(event["s"] as? String == "BTCUSDT")
                    let first = try #require(event["U"] as? Int), last = try #require(event["u"] as? Int)
                    guard last > local else { continue }  // older than the snapshot
                    #expect(first <= local + 1, "no event missed (U ≤ local + 1)")
                    if applied > 0 { #expect(first == local + 1, "U = previous u + 1") }
                    try book.apply(bids: event["b"], asks: event["a"])
                    local = last
                    applied += 1
                    lastEvent = event
                }
                let served = try #require(simulator.book(of: btcUSDT, on: .binance, tick: bookTick(ms: lastEvent["E"])))
                #expect(served.lastUpdateID == local)
                #expect(book == LocalBook(served))
                #expect(!book.isCrossed)
            }
            try #expect(await http(port: port, "/binance/api/v3/depth?symbol=NOPEUSDT").object?["code"] as? Int == -1121)
            try #expect(await http(port: port, "/binance/api/v3/depth").object?["code"] as? Int == -1102)
            let limited = try await http(port: port, "/binance/api/v3/depth?symbol=BTCUSDT&limit=5")
            #expect((limited.object?["bids"] as? [[String]])?.count == 5 && (limited.object?["asks"] as? [[String]])?.count == 5)
        }
    }

    @Test("Binance: the combined stream wraps depth events; @depth comes once a second")
    func binanceCombined() async throws {
        try await withSimulator(.books) { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/stream?streams=btcusdt@depth@100ms/ethusdt@depth") { client in
                var times: [String: [Int]] = [:]
                while (times["ethusdt@depth"]?.count ?? 0) < 2 {
                    let wrapper = try #require(try await client.nextData()?.object)
                    let stream = try #require(wrapper["stream"] as? String)
                    let data = try #require(wrapper["data"] as? [String: Any])
                    #expect(data["e"] as? String == "depthUpdate")
                    times[stream, default: []].append(try #require(data["E"] as? Int))
                }
                let slow = try #require(times["ethusdt@depth"])
                #expect(slow.allSatisfy { $0 % 1_000 == 0 } && slow[1] - slow[0] == 1_000)
                #expect((times["btcusdt@depth@100ms"]?.count ?? 0) >= 8)
            }
        }
    }

    @Test("Bybit: a snapshot, then deltas within the top 50 with u + 1 each, give the served book; resubscribing gives a new snapshot")
    func bybit() async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                try await client.send(text: #"{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}"#)
                let (_, snapshot) = try #require(try await client.nextObject { $0["topic"] as? String == "orderbook.50.BTCUSDT" })
                #expect(snapshot["type"] as? String == "snapshot")
                var data = try #require(snapshot["data"] as? [String: Any])
                #expect(data["s"] as? String == "BTCUSDT" && snapshot["cts"] is Int)
                var book = LocalBook()
                try book.apply(bids: data["b"], asks: data["a"])
                var updateID = try #require(data["u"] as? Int)
                var sequence = try #require(data["seq"] as? Int)
                var last = snapshot
                for _ in 0..<10 {
                    let (_, delta) = try #require(try await client.nextObject { $0["topic"] as? String == "orderbook.50.BTCUSDT" })
                    #expect(delta["type"] as? String == "delta")
                    data = try #require(delta["data"] as? [String: Any])
                    #expect(data["u"] as? Int == updateID + 1)
                    #expect(try #require(data["seq"] as? Int) > sequence)
                    try book.apply(bids: data["b"], asks: data["a"])
                    updateID = try #require(data["u"] as? Int)
                    sequence = try #require(data["seq"] as? Int)
                    last = delta
                }
                let served = try #require(simulator.book(of: btcUSDT, on: .bybit, tick: bookTick(ms: last["ts"])))
                #expect(served.updateID == updateID && served.sequence == sequence)
                #expect(book == LocalBook(served, depth: 50))

                try await client.send(text: #"{"op":"unsubscribe","args":["orderbook.50.BTCUSDT"]}"#)
                try await client.send(text: #"{"op":"subscribe","args":["orderbook.50.BTCUSDT","orderbook.1.BTCUSDT"]}"#)
                _ = try #require(try await client.nextObject { $0["op"] as? String == "subscribe" })
                let (_, again) = try #require(try await client.nextObject { $0["topic"] as? String == "orderbook.50.BTCUSDT" })
                #expect(again["type"] as? String == "snapshot", "a fresh snapshot after subscribing again")
                let (_, top) = try #require(try await client.nextObject { $0["topic"] as? String == "orderbook.1.BTCUSDT" })
                let topData = try #require(top["data"] as? [String: Any])
                #expect(top["type"] as? String == "snapshot" && (topData["b"] as? [[String]])?.count == 1)
            }
        }
    }

    @Test("Upbit and Bithumb: KRW-BTC.15 gives a SNAPSHOT then REALTIME frames of the served book's best 15; is_only_snapshot stops after one",
          arguments: [(Exchange.upbit, "/upbit/websocket/v1", 0), (.bithumb, "/bithumb/websocket/v1", 1)])
    func upbitStyle(exchange: Exchange, path: String, level: Int) async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: path) { client in
                try await client.send(text: #"[{"ticket":"b"},{"type":"orderbook","codes":["KRW-BTC.15"]},{"format":"DEFAULT"}]"#)
                let first = try #require(try await client.nextData())
                #expect(first.opcode == .binary)
                let snapshot = try #require(first.object)
                #expect(snapshot["type"] as? String == "orderbook" && snapshot["code"] as? String == "KRW-BTC")
                #expect(snapshot["stream_type"] as? String == "SNAPSHOT" && snapshot["level"] as? Int == level)
                var frame = snapshot
                for _ in 0..<5 {
                    frame = try #require(try await client.nextData()?.object)
                    #expect(frame["stream_type"] as? String == "REALTIME")
                }
                let units = try #require(frame["orderbook_units"] as? [[String: Any]])
                #expect(units.count == 15)
                #expect(units.allSatisfy { jsonNumber($0["ask_price"]) != nil && jsonNumber($0["bid_size"]) != nil }, "JSON numbers")
                let served = try #require(simulator.book(of: btcKRW, on: exchange, tick: bookTick(ms: frame["timestamp"])))
                #expect(units.map { decimal($0["ask_price"]) } == served.asks.prefix(15).map { decimal($0.price) })
                #expect(units.map { decimal($0["bid_price"]) } == served.bids.prefix(15).map { decimal($0.price) })
                #expect(units.map { decimal($0["bid_size"]) } == served.bids.prefix(15).map { decimal($0.size) })
                #expect(decimal(frame["total_ask_size"]) == served.asks.prefix(15).reduce(Decimal(0)) { $0 + decimal($1.size) })

                try await client.send(text: #"[{"ticket":"b"},{"type":"orderbook","codes":["KRW-ETH.7"],"is_only_snapshot":true}]"#)
                let only = try #require(try await client.nextObject { $0["code"] as? String == "KRW-ETH" }?.1)
                #expect(only["stream_type"] as? String == "SNAPSHOT" && (only["orderbook_units"] as? [Any])?.count == (exchange == .upbit ? 30 : 7))
                await #expect(throws: TestWebSocketClient.Timeout.self) { _ = try await client.nextData(within: .milliseconds(500)) }
            }
        }
    }

    @Test("Coinone: ORDERBOOK is acknowledged, then full best-15 books (asks and bids descending) that match the served book")
    func coinone() async throws {
        try await withSimulator(.books) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/coinone/") { client in
                _ = try await client.nextData()  // CONNECTED
                try await client.send(text: #"{"request_type":"SUBSCRIBE","channel":"ORDERBOOK","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#)
                let ack = try #require(try await client.nextData()?.object)
                #expect(ack["response_type"] as? String == "SUBSCRIBED" && ack["channel"] as? String == "ORDERBOOK")
                var ids: [Int64] = []
                var data: [String: Any] = [:]
                for _ in 0..<4 {
                    let frame = try #require(try await client.nextObject { $0["channel"] as? String == "ORDERBOOK" }?.1)
                    #expect(frame["response_type"] as? String == "DATA")
                    data = try #require(frame["data"] as? [String: Any])
                    ids.append(try #require((data["id"] as? String).flatMap { Int64($0) }))
                }
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }, "ids grow")
                #expect(data["quote_currency"] as? String == "KRW" && data["target_currency"] as? String == "BTC")
                let asks = try #require(data["asks"] as? [[String: String]]).map { decimal($0["price"]) }
                let bids = try #require(data["bids"] as? [[String: String]]).map { decimal($0["price"]) }
                #expect(asks.count == 15 && bids.count == 15)
                #expect(asks == asks.sorted(by: >) && bids == bids.sorted(by: >))
                let served = try #require(simulator.book(of: btcKRW, on: .coinone, tick: bookTick(ms: data["timestamp"])))
                #expect(served.coinoneID == data["id"] as? String)
                #expect(asks == served.asks.prefix(15).reversed().map { decimal($0.price) })
                #expect(bids == served.bids.prefix(15).map { decimal($0.price) })
            }
        }
    }

    @Test("two connections receive the same book frames; a market nobody watched still moved, centred on its price")
    func sharedAndUnwatched() async throws {
        try await withSimulator(.books) { simulator, port in
            let eth = Symbol(base: "ETH", quote: "USDT")
            let before = try #require(simulator.book(of: eth, on: .binance))
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { one in
                try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { two in
                    for client in [one, two] {
                        try await client.send(text: #"{"op":"subscribe","args":["orderbook.50.BTCUSDT"]}"#)
                    }
                    var frames: [[Int: String]] = [[:], [:]]
                    for (position, client) in [one, two].enumerated() {
                        while frames[position].count < 12 {
                            let (frame, object) = try #require(try await client.nextObject { $0["type"] as? String == "delta" })
                            frames[position][try #require((object["data"] as? [String: Any])?["u"] as? Int)] = frame.text
                        }
                    }
                    let common = Set(frames[0].keys).intersection(frames[1].keys)
                    #expect(common.count >= 8)
                    #expect(common.allSatisfy { frames[0][$0] == frames[1][$0] }, "byte for byte")
                }
            }
            let after = try #require(simulator.book(of: eth, on: .binance))
            #expect(after.tick > before.tick + 10 && after.lastUpdateID > before.lastUpdateID)
            #expect(after.bids != before.bids || after.asks != before.asks)
            let price = try #require(simulator.trades(of: eth, on: .binance, until: after.time).last.flatMap { Decimal(string: $0.price) })
            let bestBid = decimal(after.bids.first?.price), bestAsk = decimal(after.asks.first?.price)
            #expect(bestBid <= price && price < bestAsk, "the book sits at the market's price at that tick")
            let admin = try await http(port: port, "/admin/binance/book?symbol=ETH-USDT&tick=\(after.tick)")
            #expect(admin.status == 200 && admin.object?["last_update_id"] as? Int == Int(after.lastUpdateID))
            #expect((admin.object?["bids"] as? [[String]])?.first?.first == after.bids.first?.price)
            try #expect(await http(port: port, "/admin/binance/book?symbol=ETH-USDT&tick=\(after.tick + 1_000)").status == 404)
        }
    }
}
