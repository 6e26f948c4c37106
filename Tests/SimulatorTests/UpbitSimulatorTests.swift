import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

@Suite("Upbit and Bithumb v1")
struct UpbitSimulatorTests {
    static let request = #"[{"ticket":"t-1"},{"type":"ticker","codes":["KRW-BTC"]},{"type":"trade","codes":["KRW-BTC"]},{"format":"DEFAULT"}]"#

    @Test("no ack; ticker and trade arrive as binary frames with JSON numbers and a big sequential_id")
    func upbitTickerAndTrade() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { client in
                try await client.send(text: Self.request)
                let first = try #require(try await client.nextData())
                #expect(first.opcode == .binary)
                #expect(first.object?["type"] as? String != nil, "the first frame is data, not an ack")

                let (tickerFrame, ticker) = try #require(try await client.nextObject { $0["type"] as? String == "ticker" })
                #expect(tickerFrame.opcode == .binary)
                #expect(ticker["code"] as? String == "KRW-BTC")
                let price = try #require(jsonNumber(ticker["trade_price"]), "trade_price is a JSON number")
                #expect((80_000_000...100_000_000).contains(price))
                #expect(rawNumber("trade_price", in: tickerFrame.text)?.hasSuffix(".00000000") == true)
                for key in ["opening_price", "high_price", "low_price", "prev_closing_price", "signed_change_rate",
                            "trade_volume", "acc_trade_volume_24h", "acc_trade_price_24h", "trade_timestamp", "timestamp"] {
                    #expect(jsonNumber(ticker[key]) != nil, "\(key) should be a JSON number")
                }
                #expect(["RISE", "EVEN", "FALL"].contains(ticker["change"] as? String ?? ""))
                #expect(["SNAPSHOT", "REALTIME"].contains(ticker["stream_type"] as? String ?? ""))

                let (tradeFrame, trade) = try #require(try await client.nextObject { $0["type"] as? String == "trade" })
                #expect(tradeFrame.opcode == .binary)
                #expect(["ASK", "BID"].contains(trade["ask_bid"] as? String ?? ""))
                let sequence = try #require(rawNumber("sequential_id", in: tradeFrame.text).flatMap { Int64($0) })
                #expect(sequence > 1 << 53)
                let timestamp = try #require(jsonNumber(trade["trade_timestamp"]))
                let utc = try #require(Self.civil(Int64(timestamp), offsetHours: 0))
                #expect(trade["trade_date"] as? String == utc.date)
                #expect(trade["trade_time"] as? String == utc.time)
            }
            #expect(simulator.counters(for: .upbit).subscriptionsReceived == 1)
        }
    }

    @Test("the first frame per code is a SNAPSHOT, then REALTIME")
    func snapshotThenRealtime() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { client in
                try await client.send(text: #"[{"ticket":"t"},{"type":"ticker","codes":["KRW-ETH"]}]"#)
                let first = try #require(try await client.nextData()?.object)
                #expect(first["stream_type"] as? String == "SNAPSHOT")
                let second = try #require(try await client.nextData()?.object)
                #expect(second["stream_type"] as? String == "REALTIME")
            }
        }
    }

    @Test("text PING is answered {\"status\":\"UP\"}; malformed requests get Upbit error frames")
    func pingAndErrors() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { client in
                try await client.send(text: "PING")
                let up = try #require(try await client.nextData())
                #expect(up.opcode == .binary)
                #expect(up.object?["status"] as? String == "UP")

                try await client.send(text: #"{"ticket":"not-an-array"}"#)
                let wrong = try #require(try await client.nextData()?.object?["error"] as? [String: Any])
                #expect(wrong["name"] as? String == "WRONG_FORMAT")

                try await client.send(text: #"[{"type":"ticker","codes":["KRW-BTC"]}]"#)
                let noTicket = try #require(try await client.nextData()?.object?["error"] as? [String: Any])
                #expect(noTicket["name"] as? String == "NO_TICKET")
            }
            #expect(simulator.counters(for: .upbit).pingsReceived == 1)
        }
    }

    @Test("Bithumb v1: binary frames, sequential_id as a string, KST trade_date/trade_time")
    func bithumbDialect() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/bithumb/websocket/v1") { client in
                try await client.send(text: Self.request)
                let (tradeFrame, trade) = try #require(try await client.nextObject { $0["type"] as? String == "trade" })
                #expect(tradeFrame.opcode == .binary)
                let sequence = try #require(trade["sequential_id"] as? String)
                #expect(Int64(sequence) != nil)
                #expect(jsonNumber(trade["trade_price"]) != nil)
                let timestamp = try #require(jsonNumber(trade["trade_timestamp"]))
                let kst = try #require(Self.civil(Int64(timestamp), offsetHours: 9))
                #expect(trade["trade_date"] as? String == kst.date)
                #expect(trade["trade_time"] as? String == kst.time)

                let (_, ticker) = try #require(try await client.nextObject { $0["type"] as? String == "ticker" })
                #expect(ticker["delisting_date"] as? String == "")
            }
        }
    }

    @Test("idle connection (nothing received) is closed after the idle timeout")
    func idleClientIsDropped() async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/upbit/websocket/v1") { client in
                // Timed from before the request is sent, so the server's idle clock cannot start earlier.
                let clock = ContinuousClock()
                let start = clock.now
                try await client.send(text: Self.request)
                let close = try await client.waitForClose(within: .seconds(8))
                #expect(close?.closeCode == 1000)
                #expect(clock.now - start >= .milliseconds(1_800))
            }
            #expect(simulator.counters(for: .upbit).keepaliveDrops == 1)
        }
    }

    @Test("PING text or WebSocket pings keep the connection past the idle timeout", arguments: [true, false])
    func pingingClientIsKept(textPing: Bool) async throws {
        try await withSimulator(.testing(keepalive: shortKeepalive)) { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bithumb/websocket/v1") { client in
                try await client.send(text: Self.request)
                let clock = ContinuousClock()
                let end = clock.now + .milliseconds(4_500)
                var nextPing = clock.now
                while clock.now < end {
                    if clock.now >= nextPing {
                        if textPing { try await client.send(text: "PING") } else { try await client.ping() }
                        nextPing = clock.now + .milliseconds(300)
                    }
                    let frame = try #require(try await client.next(within: .seconds(3)), "connection ended")
                    #expect(frame.opcode != .connectionClose)
                }
                try #expect(await client.nextData() != nil)
            }
            #expect(simulator.counters(for: .bithumb).keepaliveDrops == 0)
        }
    }

    /// `yyyyMMdd` and `HHmmss` of an epoch-ms instant at a fixed offset.
    static func civil(_ milliseconds: Int64, offsetHours: Int) -> (date: String, time: String)? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: offsetHours * 3_600)
        formatter.dateFormat = "yyyyMMdd HHmmss"
        let parts = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000)).split(separator: " ")
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
