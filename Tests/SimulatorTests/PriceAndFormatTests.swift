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

    @Test("price levels are plausible")
    func levels() {
        #expect(abs(ReferencePrices.level(of: Symbol(base: "USDT", quote: "KRW")) - 1_400) < 1)
        #expect((85_000_000...95_000_000).contains(ReferencePrices.level(of: Symbol(base: "BTC", quote: "KRW"))))
        #expect(ReferencePrices.tickSize(price: 0.08, quote: "USDT") == 0.00001)
    }
}
