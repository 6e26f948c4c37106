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

    @Test("silence: nothing arrives, the market trades on, and the stream resumes with the first trade after the silence")
    func silence() async throws {
        try await withSimulator(.testing(tradesPerSecond: 50)) { simulator, port in
            try await TestWebSocketClient.subscribed(.bybit, port: port) { client in
                var lastBefore = try #require(try await client.trades(.bybit, count: 3).last)
                let injected = nowMilliseconds()
                simulator.inject(.silence(.milliseconds(1_500)), into: .bybit)
                try await client.send(text: #"{"op":"ping"}"#)  // never answered: nothing is sent while silenced
                // Frames sent before the fault landed may still be on their way (or buffered here on a
                // loaded machine): the trades' own times tell them apart.
                var firstAfter: ReceivedTrade?
                var pongs = 0
                while firstAfter == nil {
                    let object = try #require(try await client.nextData(within: .seconds(5))?.object, "data resumes")
                    if object["ret_msg"] as? String == "pong" { pongs += 1 }
                    guard let fields = ExchangeCase.bybit.trade(object), let price = decimalString(fields["p"]),
                          let time = jsonNumber(fields["T"]).map({ Int64($0) })
                    else { continue }
                    let trade = ReceivedTrade(id: fields["i"] as? String, price: price, time: time)
                    if time < injected + 20 { lastBefore = trade } else { firstAfter = trade }
                }
                let first = try #require(firstAfter)
                #expect(pongs == 0, "the ping sent during the silence is not answered, then or later")
                #expect(try #require(first.time) >= injected + 1_500, "nothing from the silence is sent, then or later")
                let log = simulator.trades(of: ExchangeCase.bybit.symbol, on: .bybit)
                let lastIndex = try #require(log.firstIndex { lastBefore.matches($0) })
                let firstIndex = try #require(log.firstIndex { first.matches($0) })
                #expect(firstIndex - lastIndex > 40, "about 75 trades happened meanwhile, all in the log")
                let firstTime = try #require(first.time)
                #expect(log[(lastIndex + 1)..<firstIndex].allSatisfy { $0.time < firstTime }, "the withheld trades all precede the end")
            }
            #expect(simulator.counters(for: .bybit).tradesWithheld > 40)
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
