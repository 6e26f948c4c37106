import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

@Suite("Coinone")
struct CoinoneSimulatorTests {
    static func subscribe(_ channel: String, target: String = "BTC") -> String {
        #"{"request_type":"SUBSCRIBE","channel":"\#(channel)","topic":{"quote_currency":"KRW","target_currency":"\#(target)"}}"#
    }

    @Test("CONNECTED on connect, SUBSCRIBED per pair, then TICKER and TRADE data with string values")
    func subscribeTickerAndTrade() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/coinone/") { client in
                let connected = try #require(try await client.nextData())
                #expect(connected.opcode == .text)
                #expect(connected.object?["response_type"] as? String == "CONNECTED")
                #expect(((connected.object?["data"] as? [String: Any])?["session_id"] as? String)?.isEmpty == false)

                try await client.send(text: Self.subscribe("TICKER"))
                let subscribed = try #require(try await client.nextData()?.object)
                #expect(subscribed["response_type"] as? String == "SUBSCRIBED")
                #expect(subscribed["channel"] as? String == "TICKER")
                try await client.send(text: Self.subscribe("TRADE"))

                let (_, tickerMessage) = try #require(try await client.nextObject {
                    $0["response_type"] as? String == "DATA" && $0["channel"] as? String == "TICKER"
                })
                let ticker = try #require(tickerMessage["data"] as? [String: Any])
                #expect(ticker["quote_currency"] as? String == "KRW")
                #expect(ticker["target_currency"] as? String == "BTC")
                #expect(jsonNumber(ticker["timestamp"]) != nil)
                for key in ["last", "first", "high", "low", "quote_volume", "target_volume", "ask_best_price",
                            "ask_best_qty", "bid_best_price", "bid_best_qty", "yesterday_last"] {
                    #expect(decimalString(ticker[key]) != nil, "\(key) should be a decimal string")
                }
                #expect(ticker["id"] is String)
                #expect((80_000_000...100_000_000).contains(decimalString(ticker["last"]) ?? 0))

                let (_, tradeMessage) = try #require(try await client.nextObject {
                    $0["response_type"] as? String == "DATA" && $0["channel"] as? String == "TRADE"
                })
                let trade = try #require(tradeMessage["data"] as? [String: Any])
                #expect(trade["id"] is String)
                #expect(decimalString(trade["price"]) != nil)
                #expect(decimalString(trade["qty"]) != nil)
                #expect(trade["is_seller_maker"] is Bool)
            }
            #expect(simulator.counters(for: .coinone).subscriptionsReceived == 2)
        }
    }

    @Test("a bad topic gets ERROR with an error_code; PING gets PONG")
    func errorsAndPing() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/coinone") { client in
                _ = try await client.nextData()
                try await client.send(text: #"{"request_type":"SUBSCRIBE","channel":"TICKER","topic":{"quote_currency":"KRW"}}"#)
                let error = try #require(try await client.nextData()?.object)
                #expect(error["response_type"] as? String == "ERROR")
                #expect(error["error_code"] as? Int == 160_012)
                #expect(error["message"] is String)

                try await client.send(text: #"{"request_type":"PING"}"#)
                let pong = try #require(try await client.nextData()?.object)
                #expect(pong["response_type"] as? String == "PONG")
            }
        }
    }

    @Test("closed after the ping timeout without PING; kept with it", arguments: [false, true])
    func keepalive(pinging: Bool) async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/coinone") { client in
                try await client.send(text: Self.subscribe("TRADE"))
                if pinging {
                    let clock = ContinuousClock()
                    let end = clock.now + .milliseconds(4_500)
                    var nextPing = clock.now
                    while clock.now < end {
                        if clock.now >= nextPing {
                            try await client.send(text: #"{"request_type":"PING"}"#)
                            nextPing = clock.now + .milliseconds(300)
                        }
                        let frame = try #require(try await client.next(within: .seconds(3)), "connection ended")
                        #expect(frame.opcode != .connectionClose)
                    }
                } else {
                    let close = try await client.waitForClose(within: .seconds(8))
                    #expect(close != nil)
                }
            }
            #expect(simulator.counters(for: .coinone).keepaliveDrops == (pinging ? 0 : 1))
        }
    }
}
