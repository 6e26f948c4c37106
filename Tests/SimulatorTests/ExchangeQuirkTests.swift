import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

/// What one exchange's WebSocket API does and the others do not.
@Suite("Exchange quirks")
struct ExchangeQuirkTests {
    @Test("Binance: the combined stream URL wraps every frame as {stream, data}; /ws/<stream> streams without a SUBSCRIBE")
    func binanceStreamURLs() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/stream?streams=ethusdt@trade/btcusdt@ticker") { client in
                var seen: Set<String> = []
                while seen.count < 2 {
                    let wrapper = try #require(try await client.nextData()?.object)
                    let stream = try #require(wrapper["stream"] as? String)
                    let data = try #require(wrapper["data"] as? [String: Any])
                    switch stream {
                    case "ethusdt@trade": #expect(data["e"] as? String == "trade" && data["s"] as? String == "ETHUSDT")
                    case "btcusdt@ticker": #expect(data["e"] as? String == "24hrTicker")
                    default: Issue.record("unexpected stream \(stream)")
                    }
                    seen.insert(stream)
                }
            }
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/solusdt@trade") { client in
                let frame = try #require(try await client.nextData(), "a trade within five seconds")
                #expect(frame.object?["e"] as? String == "trade" && frame.object?["s"] as? String == "SOLUSDT")
            }
        }
    }

    @Test("Binance: a connection holds at most the configured number of streams; LIST_SUBSCRIPTIONS lists them")
    func binanceStreamLimit() async throws {
        var configuration = SimulatorConfiguration.testing()
        configuration.binanceStreamsPerConnection = 4
        try await withSimulator(configuration) { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["btcusdt@ticker","btcusdt@trade","ethusdt@ticker"],"id":1}"#)
                try #expect(await client.nextObject { $0["id"] as? Int == 1 }?.1.keys.contains("result") == true)
                // A stream already held does not count twice: 4 streams fit.
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["btcusdt@trade","ethusdt@trade"],"id":2}"#)
                try #expect(await client.nextObject { $0["id"] as? Int == 2 }?.1.keys.contains("result") == true)
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["solusdt@trade"],"id":3}"#)
                let refused = try #require(try await client.nextObject { $0["id"] as? Int == 3 }?.1)
                #expect(refused["code"] as? Int == 2)
                #expect((refused["msg"] as? String)?.contains("more than 4 streams") == true)
                try await client.send(text: #"{"method":"LIST_SUBSCRIPTIONS","id":4}"#)
                let list = try #require(try await client.nextObject { $0["id"] as? Int == 4 }?.1)
                #expect(Set(list["result"] as? [String] ?? []) == ["btcusdt@ticker", "btcusdt@trade", "ethusdt@ticker", "ethusdt@trade"])
                try await client.send(text: #"{"method":"SUBSCRIBED","params":["btcusdt@trade"],"id":5}"#)
                #expect(try await client.nextObject { $0["id"] as? Int == 5 }?.1["code"] as? Int == 2)
            }
            let fiveStreams = (1...5).map { "a\($0)usdt@trade" }.joined(separator: "/")
            await #expect {
                try await TestWebSocketClient.connect(port: port, path: "/binance/stream?streams=\(fiveStreams)") { _ in }
            } throws: { error in
                (error as? TestWebSocketClient.Refused)?.status == .notFound
            }
        }
    }

    @Test("Upbit: the first frame per code is a SNAPSHOT, then REALTIME; UTC trade_date/trade_time; PING answered UP; NO_TICKET")
    func upbit() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { client in
                try await client.send(text: #"[{"ticket":"t"},{"type":"trade","codes":["KRW-ETH"]}]"#)
                let first = try #require(try await client.nextData()?.object)
                #expect(first["stream_type"] as? String == "SNAPSHOT")
                let second = try #require(try await client.nextData()?.object)
                #expect(second["stream_type"] as? String == "REALTIME")
                let timestamp = try #require(jsonNumber(second["trade_timestamp"]))
                let utc = try #require(civil(Int64(timestamp), offsetHours: 0))
                #expect(second["trade_date"] as? String == utc.date && second["trade_time"] as? String == utc.time)

                try await client.send(text: "PING")
                let up = try #require(try await client.nextObject { $0["status"] != nil })
                #expect(up.0.opcode == .binary && up.1["status"] as? String == "UP")
                try await client.send(text: #"[{"type":"ticker","codes":["KRW-BTC"]}]"#)
                let noTicket = try #require(try await client.nextObject { $0["error"] != nil }?.1["error"] as? [String: Any])
                #expect(noTicket["name"] as? String == "NO_TICKET")
            }
            #expect(simulator.counters(for: .upbit).pingsReceived == 1)
        }
    }

    @Test("Bithumb v1: sequential_id as a string, KST trade_date/trade_time, an empty delisting_date")
    func bithumbDialect() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.subscribed(.bithumb, port: port) { client in
                let (_, trade) = try #require(try await client.nextObject { $0["type"] as? String == "trade" })
                #expect((trade["sequential_id"] as? String).flatMap { Int64($0) } != nil)
                let kst = try #require(civil(Int64(jsonNumber(trade["trade_timestamp"]) ?? 0), offsetHours: 9))
                #expect(trade["trade_date"] as? String == kst.date && trade["trade_time"] as? String == kst.time)
                let (_, ticker) = try #require(try await client.nextObject { $0["type"] as? String == "ticker" })
                #expect(ticker["delisting_date"] as? String == "")
            }
        }
    }

    @Test("Bybit: more than 10 args is refused; the spot pong names the connection")
    func bybit() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                let args = (1...11).map { "\"tickers.COIN\($0)USDT\"" }.joined(separator: ",")
                try await client.send(text: #"{"op":"subscribe","args":[\#(args)]}"#)
                let tooMany = try #require(try await client.nextData()?.object)
                #expect(tooMany["success"] as? Bool == false && tooMany["op"] as? String == "subscribe")
                try await client.send(text: #"{"op":"ping"}"#)
                let pong = try #require(try await client.nextData()?.object)
                #expect(pong["ret_msg"] as? String == "pong" && pong["op"] as? String == "ping" && pong["conn_id"] is String)
            }
            #expect(simulator.counters(for: .bybit).pingsReceived == 1)
        }
    }

    @Test("Coinone: CONNECTED with a session_id on connect; PING gets PONG")
    func coinone() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/coinone") { client in
                let connected = try #require(try await client.nextData()?.object)
                #expect(connected["response_type"] as? String == "CONNECTED")
                #expect(((connected["data"] as? [String: Any])?["session_id"] as? String)?.isEmpty == false)
                try await client.send(text: #"{"request_type":"PING"}"#)
                #expect(try await client.nextData()?.object?["response_type"] as? String == "PONG")
            }
        }
    }

    @Test("Bithumb legacy: greeting and filter texts, ~29-digit volumes, a KST contDtm with microseconds")
    func bithumbLegacy() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/bithumb/pub/ws") { client in
                #expect(try await client.nextData()?.object?["resmsg"] as? String == "Connected Successfully")
                try await client.send(text: ExchangeCase.bithumbLegacy.subscribe[0])
                #expect(try await client.nextData()?.object?["resmsg"] as? String == "Filter Registered Successfully")
                try await client.send(text: ExchangeCase.bithumbLegacy.subscribe[1])
                let (_, ticker) = try #require(try await client.nextObject { $0["type"] as? String == "ticker" })
                let volume = try #require((ticker["content"] as? [String: Any])?["volume"] as? String)
                #expect(volume.filter(\.isNumber).count >= 25)
                let (_, transaction) = try #require(try await client.nextObject { $0["type"] as? String == "transaction" })
                let trade = try #require(ExchangeCase.bithumbLegacy.trade(transaction))
                let stamp = try #require(trade["contDtm"] as? String)
                #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}/) != nil)
                let kst = try #require(civil(nowMilliseconds(), offsetHours: 9))
                #expect(stamp.replacingOccurrences(of: "-", with: "").hasPrefix(kst.date), "contDtm \(stamp) is KST")
            }
        }
    }

    /// `yyyyMMdd` and `HHmmss` of an epoch-ms instant at a fixed offset.
    private func civil(_ milliseconds: Int64, offsetHours: Int) -> (date: String, time: String)? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: offsetHours * 3_600)
        formatter.dateFormat = "yyyyMMdd HHmmss"
        let parts = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000)).split(separator: " ")
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
