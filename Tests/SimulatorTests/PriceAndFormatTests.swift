import CoinfluxCore
import NIOCore
import Testing

@testable import Simulator

@Suite("Prices and formatting")
struct PriceAndFormatTests {
    @Test("writeDecimal pads, rounds and signs like the exchanges print decimals")
    func decimals() {
        let cases: [(Double, Int, String)] = [
            (31_883_000, 8, "31883000.00000000"),
            (64_000.01, 2, "64000.01"),
            (0.000_123_456, 8, "0.00012346"),
            (-0.0125, 3, "-0.013"),
            (-0.0001, 2, "0.00"),
            (9.999_999_999, 2, "10.00"),
            (123_456_789_012.5, 8, "123456789012.50000000"),
            (7, 0, "7"),
            (.nan, 4, "0"),
        ]
        for (value, digits, expected) in cases {
            var buffer = ByteBuffer()
            buffer.writeDecimal(value, fractionDigits: digits)
            #expect(String(buffer: buffer) == expected, "\(value) with \(digits) digits")
        }
    }

    @Test("writeJSONString escapes quotes, backslashes and control characters")
    func strings() {
        var buffer = ByteBuffer()
        buffer.writeJSONString("a\"b\\c\nd")
        #expect(String(buffer: buffer) == #""a\"b\\c\u000ad""#)
    }

    @Test("CivilTime splits epoch milliseconds in UTC and KST")
    func civilTime() {
        // 2021-06-01 23:43:34.555 UTC is 2021-06-02 08:43:34.555 KST.
        let instant: Int64 = 1_622_591_014_555
        let utc = CivilTime(epochMilliseconds: instant, offsetHours: 0)
        #expect([utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.millisecond] == [2021, 6, 1, 23, 43, 34, 555])
        let kst = CivilTime(epochMilliseconds: instant, offsetHours: CivilTime.koreaOffsetHours)
        var buffer = ByteBuffer()
        buffer.writeDateTimeWithMicroseconds(kst, extraMicroseconds: 58)
        #expect(String(buffer: buffer) == "2021-06-02 08:43:34.555058")
        #expect(CivilTime(epochMilliseconds: 951_782_400_000, offsetHours: 0).day == 29)  // 2000-02-29
    }

    @Test("a seeded market replays the same walk; levels are plausible")
    func seededWalk() {
        let symbol = Symbol(base: "BTC", quote: "USDT")
        var first = MarketState(symbol: symbol, seed: 42, now: 0)
        var second = MarketState(symbol: symbol, seed: 42, now: 0)
        for step in 1...1_000 {
            let a = first.trade(at: Int64(step))
            let b = second.trade(at: Int64(step))
            #expect(a.price == b.price && a.quantity == b.quantity && a.id == b.id)
        }
        #expect((55_000...75_000).contains(first.price))
        #expect(abs(ReferencePrices.level(of: Symbol(base: "USDT", quote: "KRW")) - 1_400) < 1)
        #expect((85_000_000...95_000_000).contains(ReferencePrices.level(of: Symbol(base: "BTC", quote: "KRW"))))
    }

    @Test("trade ids and sequences increase even within one millisecond")
    func increasingIDs() {
        var market = MarketState(symbol: Symbol(base: "ETH", quote: "KRW"), seed: 1, now: 1_700_000_000_000)
        var previous = market.lastTrade
        for _ in 0..<100 {
            let trade = market.trade(at: 1_700_000_000_000)
            #expect(trade.id == previous.id + 1)
            #expect(trade.sequence > previous.sequence)
            #expect(trade.sequence > 1 << 53)
            previous = trade
        }
    }

    @Test("the configured rate is clamped to what a connection can send")
    func rateClamp() {
        #expect(SimulatorConfiguration(framesPerSecond: .infinity).effectiveFramesPerSecond == 0)
        #expect(SimulatorConfiguration(framesPerSecond: .nan).effectiveFramesPerSecond == 0)
        #expect(SimulatorConfiguration(framesPerSecond: -5).effectiveFramesPerSecond == 0)
        #expect(SimulatorConfiguration(framesPerSecond: 1e12).effectiveFramesPerSecond == 1_000_000)
        #expect(SimulatorConfiguration().effectiveFramesPerSecond == 10)
    }

    @Test("two connections with the same seed see the same trades")
    func deterministicConnections() async throws {
        try await withSimulator { _, port in
            func prices() async throws -> [String] {
                try await TestWebSocketClient.connect(port: port, path: "/binance/ws/xrpusdt@trade") { client in
                    var prices: [String] = []
                    while prices.count < 5 {
                        let frame = try #require(try await client.nextData())
                        prices.append(try #require(frame.object?["p"] as? String))
                    }
                    return prices
                }
            }
            let first = try await prices()
            let second = try await prices()
            #expect(first == second)
        }
    }
}
