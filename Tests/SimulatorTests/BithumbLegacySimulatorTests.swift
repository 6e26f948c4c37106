import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

@Suite("Bithumb legacy")
struct BithumbLegacySimulatorTests {
    @Test("greeting, filter ack, string-valued ticker and transaction with a KST microsecond contDtm")
    func greetingFiltersAndData() async throws {
        try await withSimulator { simulator, port in
            try await TestWebSocketClient.connect(port: port, path: "/bithumb/pub/ws") { client in
                let greeting = try #require(try await client.nextData())
                #expect(greeting.opcode == .text)
                #expect(greeting.object?["status"] as? String == "0000")
                #expect(greeting.object?["resmsg"] as? String == "Connected Successfully")

                try await client.send(text: #"{"type":"ticker","symbols":["BTC_KRW"],"tickTypes":["24H"]}"#)
                let tickerAck = try #require(try await client.nextData()?.object)
                #expect(tickerAck["resmsg"] as? String == "Filter Registered Successfully")
                try await client.send(text: #"{"type":"transaction","symbols":["BTC_KRW"]}"#)
                let (_, transactionAck) = try #require(try await client.nextObject { $0["resmsg"] != nil })
                #expect(transactionAck["status"] as? String == "0000")

                let (tickerFrame, ticker) = try #require(try await client.nextObject { $0["type"] as? String == "ticker" })
                #expect(tickerFrame.opcode == .text)
                let content = try #require(ticker["content"] as? [String: Any])
                #expect(content["symbol"] as? String == "BTC_KRW")
                #expect(content["tickType"] as? String == "24H")
                for key in ["openPrice", "closePrice", "lowPrice", "highPrice", "value", "volume", "sellVolume",
                            "buyVolume", "prevClosePrice", "chgRate", "chgAmt", "volumePower"] {
                    #expect(content[key] is String, "\(key) should be a string")
                }
                #expect((80_000_000...100_000_000).contains(decimalString(content["closePrice"]) ?? 0))
                let volume = try #require(content["volume"] as? String)
                #expect(volume.filter(\.isNumber).count >= 25, "legacy volumes carry ~29 significant digits")
                #expect((content["date"] as? String)?.count == 8)
                #expect((content["time"] as? String)?.count == 6)

                let (_, transaction) = try #require(try await client.nextObject { $0["type"] as? String == "transaction" })
                let list = try #require((transaction["content"] as? [String: Any])?["list"] as? [[String: Any]])
                let trade = try #require(list.first)
                #expect(trade["symbol"] as? String == "BTC_KRW")
                #expect(["1", "2"].contains(trade["buySellGb"] as? String ?? ""))
                #expect(decimalString(trade["contPrice"]) != nil)
                #expect(decimalString(trade["contQty"]) != nil)
                #expect(["up", "dn"].contains(trade["updn"] as? String ?? ""))
                let stamp = try #require(trade["contDtm"] as? String)
                #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}/) != nil)
                let kstNow = Date().addingTimeInterval(9 * 3_600)
                let formatter = DateFormatter()
                formatter.timeZone = TimeZone(secondsFromGMT: 0)
                formatter.dateFormat = "yyyy-MM-dd HH:mm"
                let expectedPrefixes = [-60.0, 0, 60].map { formatter.string(from: kstNow.addingTimeInterval($0)) }
                #expect(expectedPrefixes.contains(String(stamp.prefix(16))), "contDtm \(stamp) is KST now")
            }
            #expect(simulator.counters(for: .bithumb).subscriptionsReceived == 2)
        }
    }

    @Test("an invalid filter is rejected with status 5100")
    func invalidFilter() async throws {
        try await withSimulator { _, port in
            try await TestWebSocketClient.connect(port: port, path: "/bithumb/pub/ws") { client in
                _ = try await client.nextData()
                try await client.send(text: #"{"type":"ticker","symbols":["BTC_KRW"],"tickTypes":["7D"]}"#)
                let rejected = try #require(try await client.nextData()?.object)
                #expect(rejected["status"] as? String == "5100")
                #expect(rejected["resmsg"] as? String == "Invalid Filter Syntax")
            }
        }
    }
}
