@testable import CoinfluxCore
import Testing

/// `appendShortest` must produce exactly `Double.description` (shortest text that reads back to
/// the same value); `appendDecimal` exactly `String(value)`.
@Suite struct NumberFormattingTests {
    static func shortest(_ value: Double) -> String {
        var bytes: [UInt8] = []
        appendShortest(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decimal(_ value: Int64) -> String {
        var bytes: [UInt8] = []
        appendDecimal(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    // Expected texts: Swift's `description` of each literal, checked by hand against its rules
    // (point and at least one digit after it; exponent form below 1e-4 and above 2^53, with at
    // least two exponent digits).
    @Test(arguments: [
        (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (-1.0, "-1.0"), (0.1, "0.1"),
        (67123.45, "67123.45"), (-67123.45, "-67123.45"), (143_250_000.0, "143250000.0"),
        (0.0001, "0.0001"), (0.00012, "0.00012"), (0.00001, "1e-05"), (0.000012345, "1.2345e-05"),
        (1.5e-7, "1.5e-07"), (Double.leastNonzeroMagnitude, "5e-324"), (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (-2.2250738585072014e-308, "-2.2250738585072014e-308"),
        (1e16, "1e+16"), (9007199254740992.0, "9007199254740992.0"), (4503599627370496.0, "4503599627370496.0"),
        (1e21, "1e+21"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3.0, "0.3333333333333333"), (100.0, "100.0"),
        (123456789012345.6, "123456789012345.6"), (0.30000000000000004, "0.30000000000000004"),
        (Double.infinity, "inf"), (-Double.infinity, "-inf"), (Double.nan, "nan"), (-Double.nan, "nan"),
        (Double(bitPattern: 0x7FF4_0000_0000_0001), "nan"),
    ])
    func shortestKnownValues(value: Double, expected: String) {
        #expect(Self.shortest(value) == expected)
    }

    @Test func shortestMatchesDescriptionOnRandomBitPatterns() {
        var generator = SplitMix64(seed: 1)
        var mismatches: [String] = []
        for _ in 0..<200_000 {
            let value = Double(bitPattern: generator.next())
            let text = Self.shortest(value)
            if text != value.description, mismatches.count < 10 { mismatches.append("\(text) vs \(value.description)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Short decimals (the fast path) of every magnitude, and values next to them.
    @Test func shortestMatchesDescriptionOnShortDecimals() {
        var generator = SplitMix64(seed: 2)
        var mismatches: [String] = []
        for _ in 0..<100_000 {
            let digits = Double(generator.next() >> (11 + generator.next() % 50))
            let scale = generator.next() % 26
            var value = digits
            for _ in 0..<scale { value /= 10 }
            for candidate in [value, -value, value.nextUp, value.nextDown, digits * 1e10] {
                let text = Self.shortest(candidate)
                if text != candidate.description, mismatches.count < 10 {
                    mismatches.append("\(text) vs \(candidate.description)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func shortestMatchesDescriptionAroundPowers() {
        var mismatches: [String] = []
        var candidates: [Double] = []
        for exponent in -1074...1023 {
            let power = Double(sign: .plus, exponent: exponent, significand: 1)
            candidates += [power, power.nextUp, power.nextDown]
        }
        var power = 1.0
        for _ in 0...25 {
            candidates += [power, power.nextUp, power.nextDown, 1 / power, (1 / power).nextUp, (1 / power).nextDown]
            power *= 10
        }
        for value in candidates where Self.shortest(value) != value.description {
            mismatches.append("\(Self.shortest(value)) vs \(value.description)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func shortestReadsBack() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            #expect(Double(Self.shortest(value))?.bitPattern == value.bitPattern)
        }
    }

    @Test(arguments: [
        (Int64(0), "0"), (7, "7"), (-7, "-7"), (10, "10"), (99_999_999, "99999999"), (100_000_000, "100000000"),
        (1_700_000_000_123_456_789, "1700000000123456789"), (Int64.max, "9223372036854775807"),
        (Int64.min, "-9223372036854775808"), (-1, "-1"),
    ])
    func decimalKnownValues(value: Int64, expected: String) {
        #expect(Self.decimal(value) == expected)
    }

    @Test func decimalMatchesStringForEveryLength() {
        var generator = SplitMix64(seed: 4)
        for _ in 0..<50_000 {
            let value = Int64(bitPattern: generator.next()) >> (generator.next() % 64)
            #expect(Self.decimal(value) == String(value))
        }
        var unsigned: [UInt8] = []
        appendDecimal(UInt64.max, to: &unsigned)
        #expect(String(decoding: unsigned, as: UTF8.self) == "18446744073709551615")
        var power: UInt64 = 1
        for _ in 0..<19 {
            for value in [power - 1, power, power + 1] {
                var bytes: [UInt8] = []
                appendDecimal(value, to: &bytes)
                #expect(String(decoding: bytes, as: UTF8.self) == String(value))
            }
            power *= 10
        }
    }

    /// The formatters append: what was in the buffer stays.
    @Test func appendsAfterExistingBytes() {
        var bytes = Array("x=".utf8)
        appendShortest(0.5, to: &bytes)
        appendDecimal(Int64(-3), to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x=0.5-3")
    }
}

