import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

@Suite("Bybit")
struct BybitSimulatorTests {
    static let subscribe = #"{"req_id":"r1","op":"subscribe","args":["tickers.BTCUSDT","publicTrade.BTCUSDT"]}"#

    @Test("subscribe ack, ticker snapshot with a data object, trades in a data array")
    func subscribeTickerAndTrade() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                try await client.send(text: Self.subscribe)
                let ack = try #require(try await client.nextData())
                #expect(ack.opcode == .text)
                let reply = try #require(ack.object)
                #expect(reply["success"] as? Bool == true)
                #expect(reply["ret_msg"] as? String == "subscribe")
                #expect(reply["op"] as? String == "subscribe")
                #expect(reply["req_id"] as? String == "r1")
                #expect((reply["conn_id"] as? String)?.isEmpty == false)

                let (_, ticker) = try #require(try await client.nextObject { $0["topic"] as? String == "tickers.BTCUSDT" })
                #expect(ticker["type"] as? String == "snapshot")
                #expect(jsonNumber(ticker["ts"]) != nil)
                #expect(jsonNumber(ticker["cs"]) != nil)
                let data = try #require(ticker["data"] as? [String: Any])
                #expect(data["symbol"] as? String == "BTCUSDT")
                for key in ["lastPrice", "highPrice24h", "lowPrice24h", "prevPrice24h", "volume24h", "turnover24h", "price24hPcnt", "usdIndexPrice"] {
                    #expect(decimalString(data[key]) != nil, "\(key) should be a decimal string")
                }
                #expect((55_000...75_000).contains(decimalString(data["lastPrice"]) ?? 0))

                let (_, trades) = try #require(try await client.nextObject { $0["topic"] as? String == "publicTrade.BTCUSDT" })
                let list = try #require(trades["data"] as? [[String: Any]])
                let trade = try #require(list.first)
                #expect(trade["s"] as? String == "BTCUSDT")
                #expect(["Buy", "Sell"].contains(trade["S"] as? String ?? ""))
                #expect(decimalString(trade["p"]) != nil)
                #expect(decimalString(trade["v"]) != nil)
                #expect(trade["i"] is String)
                #expect(jsonNumber(trade["T"]) != nil)
                #expect(trade["BT"] as? Bool == false)
            }
            #expect(simulator.counters(for: .bybit).subscriptionsReceived == 1)
        }
    }

    @Test("more than 10 args or an unknown topic is rejected with success:false")
    func rejectedSubscriptions() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                let args = (1...11).map { "\"tickers.COIN\($0)USDT\"" }.joined(separator: ",")
                try await client.send(text: #"{"op":"subscribe","args":[\#(args)]}"#)
                let tooMany = try #require(try await client.nextData()?.object)
                #expect(tooMany["success"] as? Bool == false)
                #expect((tooMany["ret_msg"] as? String)?.isEmpty == false)
                #expect(tooMany["op"] as? String == "subscribe")

                try await client.send(text: #"{"op":"subscribe","args":["orderbook.BTC"]}"#)
                let unknown = try #require(try await client.nextData()?.object)
                #expect(unknown["success"] as? Bool == false)
            }
        }
    }

    @Test("{\"op\":\"ping\"} is answered with the spot pong")
    func pong() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                try await client.send(text: #"{"op":"ping"}"#)
                let pong = try #require(try await client.nextData()?.object)
                #expect(pong["success"] as? Bool == true)
                #expect(pong["ret_msg"] as? String == "pong")
                #expect(pong["op"] as? String == "ping")
                #expect(pong["conn_id"] is String)
            }
            #expect(simulator.counters(for: .bybit).pingsReceived == 1)
        }
    }

    @Test("dropped without {\"op\":\"ping\"}; kept with it", arguments: [false, true])
    func keepalive(pinging: Bool) async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bybit/v5/public/spot") { client in
                try await client.send(text: Self.subscribe)
                if pinging {
                    let clock = ContinuousClock()
                    let end = clock.now + .milliseconds(4_500)
                    var nextPing = clock.now
                    while clock.now < end {
                        if clock.now >= nextPing {
                            try await client.send(text: #"{"op":"ping"}"#)
                            nextPing = clock.now + .milliseconds(300)
                        }
                        let frame = try #require(try await client.next(within: .seconds(3)), "connection ended")
                        #expect(frame.opcode != .connectionClose)
                    }
                } else {
                    // A WebSocket-level ping is not Bybit's keepalive.
                    try await client.ping()
                    let close = try await client.waitForClose(within: .seconds(8))
                    #expect(close != nil)
                }
            }
            #expect(simulator.counters(for: .bybit).keepaliveDrops == (pinging ? 0 : 1))
        }
    }
}
