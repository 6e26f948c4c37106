import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

@Suite("Binance")
struct BinanceSimulatorTests {
    @Test("SUBSCRIBE is acked with result null, then 24hrTicker and trade text frames follow")
    func subscribeTickerAndTrade() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["btcusdt@ticker","btcusdt@trade"],"id":1}"#)
                let ack = try #require(try await client.nextData())
                #expect(ack.opcode == .text)
                #expect(ack.object?["id"] as? Int == 1)
                #expect(ack.object?.keys.contains("result") == true)
                #expect(ack.object?["result"] is NSNull)

                let (tickerFrame, ticker) = try #require(try await client.nextObject { $0["e"] as? String == "24hrTicker" })
                #expect(tickerFrame.opcode == .text)
                #expect(ticker["s"] as? String == "BTCUSDT")
                let last = try #require(decimalString(ticker["c"]))
                #expect((55_000...75_000).contains(last))
                for key in ["Q", "o", "h", "l", "v", "q", "p", "P", "b", "B", "a", "A"] {
                    #expect(decimalString(ticker[key]) != nil, "\(key) should be a decimal string")
                }
                #expect(jsonNumber(ticker["n"]) != nil)
                let eventTime = try #require(jsonNumber(ticker["E"]))
                #expect(abs(Int64(eventTime) - nowMilliseconds()) < 5_000)

                let (_, first) = try #require(try await client.nextObject { $0["e"] as? String == "trade" })
                let (_, second) = try #require(try await client.nextObject { $0["e"] as? String == "trade" })
                #expect(first["s"] as? String == "BTCUSDT")
                #expect(decimalString(first["p"]) != nil)
                #expect(decimalString(first["q"]) != nil)
                #expect(first["m"] is Bool)
                #expect(jsonNumber(first["T"]) != nil)
                let firstID = try #require(jsonNumber(first["t"]))
                let secondID = try #require(jsonNumber(second["t"]))
                #expect(secondID > firstID)
            }
            #expect(simulator.counters(for: .binance).subscriptionsReceived == 1)
            #expect(simulator.counters(for: .binance).connectionsAccepted == 1)
        }
    }

    @Test("combined stream URL wraps every frame as {stream, data}")
    func combinedStream() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/stream?streams=ethusdt@trade/btcusdt@ticker") { client in
                var seen: Set<String> = []
                while seen.count < 2 {
                    let frame = try #require(try await client.nextData())
                    let wrapper = try #require(frame.object)
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
        }
    }

    @Test("raw /ws/<stream> URL streams without a SUBSCRIBE")
    func rawStreamPath() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/solusdt@trade") { client in
                let frame = try #require(try await client.nextData())
                #expect(frame.object?["e"] as? String == "trade")
                #expect(frame.object?["s"] as? String == "SOLUSDT")
            }
        }
    }

    @Test("bad requests get {code, msg} error frames")
    func errors() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: "{not json")
                let invalid = try #require(try await client.nextData()?.object)
                #expect(invalid["code"] as? Int == 3)
                #expect(invalid["msg"] is String)

                try await client.send(text: #"{"method":"SUBSCRIBED","params":["btcusdt@trade"],"id":5}"#)
                let unknown = try #require(try await client.nextData()?.object)
                #expect(unknown["code"] as? Int == 2)
                #expect(unknown["id"] as? Int == 5)

                try await client.send(text: #"{"method":"LIST_SUBSCRIPTIONS","id":6}"#)
                let list = try #require(try await client.nextData()?.object)
                #expect((list["result"] as? [String])?.isEmpty == true)
            }
        }
    }

    @Test("a connection holds at most the configured number of streams; more are refused with an error")
    func streamLimit() async throws {
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
            }
            // Another connection has its own allowance.
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws") { client in
                try await client.send(text: #"{"method":"SUBSCRIBE","params":["solusdt@ticker","solusdt@trade"],"id":1}"#)
                try #expect(await client.nextObject { $0["id"] as? Int == 1 }?.1.keys.contains("result") == true)
            }
            let fiveStreams = (1...5).map { "a\($0)usdt@trade" }.joined(separator: "/")
            await #expect {
                try await TestWebSocketClient.connect(port: port, path: "/binance/stream?streams=\(fiveStreams)") { _ in }
            } throws: { error in
                (error as? TestWebSocketClient.Refused)?.status == .notFound
            }
        }
    }

    @Test("server pings; a client that never pongs is dropped after the pong timeout")
    func nonPongingClientIsDropped() async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            // Timed from before the connection opens: the server cannot have sent its first ping
            // earlier, so the drop comes no sooner than the pong timeout after this instant however
            // late a loaded machine delivers the ping to the client.
            let clock = ContinuousClock()
            let connecting = clock.now
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@trade", autoPong: false) { client in
                var pinged = false
                var closeFrame: TestWebSocketClient.Frame?
                while let frame = try await client.next(within: .seconds(8)) {
                    if frame.opcode == .ping { pinged = true }
                    if frame.opcode == .connectionClose {
                        closeFrame = frame
                        break
                    }
                }
                #expect(pinged, "the server pings")
                #expect(closeFrame != nil)
                let connected = clock.now - connecting
                #expect(connected >= shortKeepalive.binancePongTimeout, "dropped only after the pong timeout")
                #expect(connected < .seconds(6))
            }
            #expect(simulator.counters(for: .binance).keepaliveDrops == 1)
        }
    }

    @Test("a client that answers pings stays connected past the pong timeout")
    func pongingClientIsKept() async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@trade", autoPong: true) { client in
                let clock = ContinuousClock()
                let end = clock.now + .milliseconds(4_500)
                var pings = 0
                while clock.now < end {
                    let frame = try #require(try await client.next(within: .seconds(3)), "connection ended")
                    #expect(frame.opcode != .connectionClose)
                    if frame.opcode == .ping { pings += 1 }
                }
                #expect(pings >= 3)
                try #expect(await client.nextData() != nil)
            }
            #expect(simulator.counters(for: .binance).keepaliveDrops == 0)
        }
    }
}
