import AsyncHTTPClient
import CoinfluxCore
import Foundation
import NIOHTTP1
import NIOWebSocket
import Simulator
import Testing

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("close: current connections get close 1001 and end")
    func close() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@trade") { client in
                _ = try #require(try await client.nextData())
                simulator.inject(.close, into: .binance)
                let close = try await client.waitForClose(within: .seconds(5))
                #expect(close?.closeCode == 1001)
            }
            try #expect(await eventually { simulator.counters(for: .binance).connectionsOpen == 0 })
        }
    }

    @Test("close with a symbol: only the connections carrying it close, the others keep streaming")
    func closeBySymbol() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@trade") { btc in
                try await TestWebSocketClient.connect(port: port, path: "/binance/ws/ethusdt@trade") { eth in
                    _ = try #require(try await btc.nextData())
                    _ = try #require(try await eth.nextData())
                    simulator.inject(.closeConnections(carrying: Symbol(base: "ETH", quote: "USDT")), into: .binance)
                    try #expect(await eth.waitForClose(within: .seconds(5))?.closeCode == 1001)
                    try #expect(await eventually { simulator.counters(for: .binance).connectionsOpen == 1 })
                    let (_, trade) = try #require(try await btc.nextObject { $0["e"] as? String == "trade" })
                    #expect(trade["s"] as? String == "BTCUSDT")

                    try #expect(await http(.POST, port: port, "/admin/binance/close?symbol=BTC-USDT").status == 200)
                    try #expect(await btc.waitForClose(within: .seconds(5))?.closeCode == 1001)
                }
            }
            try #expect(await eventually { simulator.counters(for: .binance).connectionsOpen == 0 })
            try #expect(await http(.POST, port: port, "/admin/binance/close?symbol=BTCUSDT").status == 400)
        }
    }

    @Test("silence: the socket stays open but nothing arrives, then data resumes")
    func silence() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                try await client.send(text: #"{"op":"subscribe","args":["publicTrade.BTCUSDT"]}"#)
                _ = try #require(try await client.nextObject { $0["topic"] != nil })
                simulator.inject(.silence(.seconds(3)), into: .bybit)
                // Frames already in flight when the fault landed may still arrive (later on a loaded
                // machine): drain until 300 ms pass without one, for at most one second.
                let clock = ContinuousClock()
                let drainUntil = clock.now + .seconds(1)
                while clock.now < drainUntil, (try? await client.next(within: .milliseconds(300))) != nil {}
                try await client.send(text: #"{"op":"ping"}"#)
                await #expect(throws: TestWebSocketClient.Timeout.self, "no data and no pong while silenced") {
                    _ = try await client.next(within: .milliseconds(900))
                }
                let resumed = try #require(try await client.nextData(within: .seconds(4)), "data resumes after the silence")
                #expect(resumed.object != nil)
            }
        }
    }

    @Test("malformed: N broken frames arrive on the open connection")
    func malformed() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { client in
                try await client.send(text: #"[{"ticket":"m"},{"type":"trade","codes":["KRW-BTC"]}]"#)
                _ = try #require(try await client.nextData())
                _ = try await http(.POST, port: port, "/admin/upbit/malformed?count=4")
                var broken: [TestWebSocketClient.Frame] = []
                for _ in 0..<200 where broken.count < 4 {
                    let frame = try #require(try await client.nextData())
                    let isValidTrade = (frame.object?["type"] as? String) == "trade" && jsonNumber(frame.object?["trade_price"]) != nil
                    if !isValidTrade { broken.append(frame) }
                }
                #expect(broken.count == 4)
                #expect(broken.contains { $0.data.readableBytes == 0 }, "an empty frame")
                #expect(broken.contains { $0.json == nil && $0.data.readableBytes > 0 }, "truncated or not JSON")
                #expect(broken.contains { ($0.object?["trade_price"] as? String) != nil }, "wrongly typed values")
                #expect(broken.allSatisfy { $0.opcode == .binary })
            }
        }
    }

    @Test("error: the exchange's error frame is sent", arguments: [Exchange.upbit, .coinone, .binance])
    func error(exchange: Exchange) async throws {
        let paths: [Exchange: String] = [.upbit: "/upbit/websocket/v1", .coinone: "/coinone", .binance: "/binance/ws"]
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: paths[exchange] ?? "") { client in
                if exchange == .coinone { _ = try await client.nextData() }  // CONNECTED
                // `error` acts on open sessions: wait until the server has registered this one.
                try #expect(await eventually { simulator.counters(for: exchange).connectionsOpen == 1 })
                simulator.inject(.error, into: exchange)
                let frame = try #require(try await client.nextData())
                let object = try #require(frame.object)
                switch exchange {
                case .upbit: #expect((object["error"] as? [String: Any])?["name"] as? String == "WRONG_FORMAT")
                case .coinone: #expect(object["response_type"] as? String == "ERROR" && object["error_code"] is Int)
                default: #expect(object["code"] is Int && object["msg"] is String)
                }
            }
        }
    }

    @Test("refuse: new upgrades get 503 (or the given status) for a while, then succeed")
    func refuse() async throws {
        try await withSimulator { simulator, port in
            simulator.inject(.refuse(.milliseconds(800), status: 503), into: .coinone)
            await #expect {
                try await TestWebSocketClient.connect(port: port, path: "/coinone") { _ in }
            } throws: { error in
                (error as? TestWebSocketClient.Refused)?.status == .serviceUnavailable
            }
            let admin = try await http(.POST, port: port, "/admin/bithumb/refuse?seconds=5&status=429")
            #expect(admin.status == 200)
            await #expect {
                try await TestWebSocketClient.connect(port: port, path: "/bithumb/websocket/v1") { _ in }
            } throws: { error in
                (error as? TestWebSocketClient.Refused)?.status == .tooManyRequests
            }
            try await Task.sleep(for: .seconds(1))
            let greeting = try await TestWebSocketClient.connect(port: port, path: "/coinone") {
                try await $0.nextData()?.object?["response_type"] as? String
            }
            #expect(greeting == "CONNECTED")
            #expect(simulator.counters(for: .coinone).connectionsRefused == 1)
            #expect(simulator.counters(for: .coinone).connectionsAccepted == 1)
            #expect(simulator.counters(for: .bithumb).connectionsRefused == 1)
        }
    }

    @Test("rest-limit: an exchange's REST answers 429 with Retry-After for a while, then tickers again; others unaffected")
    func restLimit() async throws {
        try await withSimulator { _, port in
            let admin = try await http(.POST, port: port, "/admin/binance/rest-limit?seconds=0.8&retry_after=3")
            #expect(admin.status == 200)
            let ticker = "/binance/api/v3/ticker/24hr?symbol=BTCUSDT"
            let limited = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(ticker)"), timeout: .seconds(10))
            _ = try await limited.body.collect(upTo: 1 << 20)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers.first(name: "retry-after") == "3")
            #expect(try await http(port: port, "/bybit/v5/market/tickers?category=spot&symbol=BTCUSDT").status == 200, "only binance is limited")
            try await Task.sleep(for: .seconds(1))
            #expect(try await http(port: port, ticker).status == 200)
            try #expect(await http(.POST, port: port, "/admin/binance/rest-limit").status == 400)
        }
    }

    @Test("admin endpoint: faults by HTTP, counters as JSON, bad requests rejected")
    func adminEndpoint() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/binance/ws/btcusdt@trade") { client in
                _ = try #require(try await client.nextData())
                let closed = try await http(.POST, port: port, "/admin/binance/close")
                #expect(closed.status == 200)
                try #expect(await client.waitForClose(within: .seconds(5))?.closeCode == 1001)
            }
            let counters = try #require(try await http(port: port, "/admin/counters").object)
            let binance = try #require(counters["binance"] as? [String: Any])
            #expect(binance["connectionsAccepted"] as? Int == 1)
            #expect((binance["framesSent"] as? Int ?? 0) >= 1)
            try #expect(await http(.POST, port: port, "/admin/kraken/close").status == 404)
            try #expect(await http(.POST, port: port, "/admin/binance/silence").status == 400)
            try #expect(await http(.POST, port: port, "/admin/binance/explode").status == 400)
        }
    }

    @Test("unknown WebSocket paths and disabled exchanges answer 404")
    func unknownPaths() async throws {
        try await withSimulator(SimulatorConfiguration(seed: 1, exchanges: [.binance])) { _, port in
            for path in ["/kraken/ws", "/upbit/websocket/v1", "/binance/ws/NOT-A-STREAM"] {
                await #expect {
                    try await TestWebSocketClient.connect(port: port, path: path) { _ in }
                } throws: { error in
                    (error as? TestWebSocketClient.Refused)?.status == .notFound
                }
            }
            try #expect(await http(port: port, "/upbit/v1/ticker?markets=KRW-BTC").status == 404)
        }
    }
}
