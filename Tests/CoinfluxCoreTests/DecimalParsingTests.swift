import CoinfluxCore
import Testing

/// `JSONReader.readDouble` over `text` (a JSON number, or a quoted one).
private func readDouble(_ text: String) throws -> Double {
    try JSONReader.parse(Array(text.utf8)) { try $0.readDouble() }
}

private func readInt64(_ text: String) throws -> Int64 {
    try JSONReader.parse(Array(text.utf8)) { try $0.readInt64() }
}

private func numberError(_ text: String, int: Bool = false) -> JSONReader.Error.Reason? {
    do {
        _ = try int ? Double(readInt64(text)) : readDouble(text)
        return nil
    } catch let error as JSONReader.Error {
        return error.reason
    } catch {
        return nil
    }
}

/// Checks that `text` reads, as a number and as a string, to exactly the bits of `Double(text)`
/// (the standard library's correctly rounded parser).
private func expectCorrectlyRounded(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let expected = Double(text) else {
        Issue.record("Double(\(text)) is nil", sourceLocation: sourceLocation)
        return
    }
    for form in [text, "\"\(text)\""] {
        do {
            let value = try readDouble(form)
            #expect(value.bitPattern == expected.bitPattern, "\(form): got \(value), expected \(expected)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(form): \(error)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Decimal → Double, correctly rounded")
struct DecimalParsingTests {
    /// Exchange-shaped numbers and the classic hard cases of decimal-to-binary conversion.
    static let cases: [String] = [
        // Plain and exchange-shaped.
        "0", "1", "-1", "7", "0.1", "0.2", "0.3", "16578.5", "16578.50", "0.001", "0.00015678",
        "31883000.00000000", "31883000.000000000000000000", "67123.45", "-67123.45", "1e0", "1E+2", "1e-2", "2.5E-3",
        // Bithumb legacy: ~29 significant digits.
        "1234.5678901234567890123456789", "47234.56789012345678901234567890", "0.00012345678901234567890123456789",
        "43285000.000000000000000000001", "99999999999999999999999999999", "0.1000000000000000000000000001",
        // Mantissa limits of the fast paths.
        "123456789012345678", "1234567890123456789", "12345678901234567890", "9007199254740991", "9007199254740992",
        "9007199254740993", "9007199254740994", "9007199254740995", "18446744073709551615", "18446744073709551616",
        "17303368620470000", "17303368620470001",
        // Exact powers of ten and just beyond them (Clinger's range ends at 1e22).
        "1e22", "1e23", "1e-22", "1e-23", "9007199254740991e22", "9007199254740991e-22", "123e30", "1e37", "4503599627370496e7",
        "8.98846567431158e307", "1.7976931348623157e308", "1.7976931348623158e308",
        // Halfway cases and near-halfway cases.
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "9007199254740993.0000000000000000000001", "0.30000000000000004", "0.3000000000000000444089209850062616169452667236328125",
        // Tiny: subnormals, the smallest double, underflow to zero.
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308", "4.9e-324", "5e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-320", "1e-400", "-1e-400", "0e999", "0.0000000000000000000000000000001",
        // Zeros and signs.
        "-0", "-0.0", "0.000", "-0e10", "0e-5",
        // Huge exponents written out.
        "1e00000000000000000000000000000000000000000000000005", "1e-99999999999999999999",
        "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001e100",
    ]

    @Test("the table reads to the same bits as Double(String)", arguments: cases)
    func correctlyRounded(_ text: String) {
        expectCorrectlyRounded(text)
    }

    @Test("-0 keeps its sign")
    func negativeZero() throws {
        #expect(try readDouble("-0").sign == .minus)
        #expect(try readDouble("\"-0.000\"").sign == .minus)
        #expect(try readDouble("0").sign == .plus)
    }

    @Test("random decimals of 1–30 digits with exponents across the whole range match Double(String) (seeded)")
    func randomDecimals() {
        var random = SplitMix64(seed: 0xDEC1_AA15)
        var checked = 0
        for _ in 0..<30_000 {
            let digitCount = Int.random(in: 1...30, using: &random)
            var digits = String(Int.random(in: 1...9, using: &random))
            for _ in 1..<digitCount { digits.append(Character(String(Int.random(in: 0...9, using: &random)))) }
            let point = Int.random(in: 0...digitCount, using: &random)
            var text = point == digitCount ? digits : String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if text.hasPrefix(".") { text = "0" + text }
            if Bool.random(using: &random) { text = "-" + text }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: text += "e" + String(Int.random(in: -340...310, using: &random))
            case 1: text += "E" + String(Int.random(in: -25...25, using: &random))
            default: break
            }
            guard let expected = Double(text), expected.isFinite else { continue }
            guard let value = try? readDouble(text) else {
                Issue.record("\(text) failed")
                continue
            }
            #expect(value.bitPattern == expected.bitPattern, "\(text): got \(value), expected \(expected)")
            checked += 1
        }
        #expect(checked > 25_000)
    }

    @Test("random prices and sizes in the exchanges' shapes (leading and trailing zeros, 1–22 digits, around the 19-digit short path) match Double(String), as numbers and as strings (seeded)")
    func randomExchangeDecimals() {
        var random = SplitMix64(seed: 0x0B00_C5E5)
        for _ in 0..<20_000 {
            var digits = ""
            for _ in 0..<Int.random(in: 1...22, using: &random) { digits.append(Character(String(Int.random(in: 0...9, using: &random)))) }
            let integer = String(Int.random(in: 0...9_999_999, using: &random))
            let text: String
            switch Int.random(in: 0..<3, using: &random) {
            case 0: text = "0." + String(repeating: "0", count: Int.random(in: 0...8, using: &random)) + digits  // a size: 0.00012000
            case 1: text = integer + "." + digits  // a price: 37000.12
            default: text = String(UInt64.random(in: 0...UInt64.max, using: &random) >> Int.random(in: 0...63, using: &random))  // an id: up to 20 digits
            }
            expectCorrectlyRounded(text)
        }
    }

    @Test("every finite double's shortest text reads back to the same double (seeded bit patterns)")
    func roundTripOfDescriptions() throws {
        var random = SplitMix64(seed: 0xB175)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            let read = try readDouble(value.description)
            #expect(read.bitPattern == value.bitPattern, "\(value)")
        }
    }

    @Test("beyond Double's range fails with numberOutOfRange instead of giving infinity")
    func outOfRange() {
        #expect(numberError("1e309") == .numberOutOfRange)
        #expect(numberError("-1e400") == .numberOutOfRange)
        #expect(numberError("\"1.8e308\"") == .numberOutOfRange)
        #expect(numberError("1" + String(repeating: "0", count: 400)) == .numberOutOfRange)
    }

    @Test("what JSON's number grammar rejects is rejected", arguments: [
        "\"NaN\"", "\"nan\"", "\"Infinity\"", "\"-Infinity\"", "\"inf\"", "\"0x1p3\"", "\"\"", "\"+1\"", "\".5\"",
        "\"5.\"", "\"01\"", "\"1e\"", "\"1e+\"", "\"-\"", "\"--1\"", "\" 1\"", "\"1 \"", "\"1_000\"", "\"1,5\"", "\"١\"",
        "\"1\\u0030\"", "-", "-a", "1.", "1.e5", "1e", "1e-", "+1", ".5", "01", "00", "-01", "NaN", "Infinity", "0x10",
    ])
    func rejected(_ text: String) {
        #expect(numberError(text) != nil, "\(text) was accepted")
    }

    @Test("inside a string, a number must be the whole content, and the string must be complete")
    func numbersInStrings() {
        #expect(numberError("\"1.5") == .truncated)
        #expect(numberError("\"1.5x\"") == .invalidNumber)
        #expect(numberError("\"abc") == .truncated)
        #expect(numberError("\"\"") == .invalidNumber)
    }

    @Test("Int64 is read exactly from numbers and strings, never through Double")
    func integers() throws {
        #expect(try readInt64("17303368620470000") == 17_303_368_620_470_000)
        #expect(try readInt64("17303368620470001") == 17_303_368_620_470_001)
        #expect(try readInt64("\"17303368620470001\"") == 17_303_368_620_470_001)
        #expect(try readInt64("1700000000008234568") == 1_700_000_000_008_234_568)
        #expect(try readInt64("9223372036854775807") == Int64.max)
        #expect(try readInt64("-9223372036854775808") == Int64.min)
        #expect(try readInt64("-0") == 0)
        #expect(try readInt64("0") == 0)
        #expect(try readInt64("-42") == -42)
        #expect(try readInt64("12345678") == 12_345_678)
        #expect(try readInt64("123456789") == 123_456_789)
    }

    @Test("Int64 overflow and non-integers are errors")
    func integerErrors() {
        #expect(numberError("9223372036854775808", int: true) == .numberOutOfRange)
        #expect(numberError("-9223372036854775809", int: true) == .numberOutOfRange)
        #expect(numberError("10000000000000000000", int: true) == .numberOutOfRange)
        #expect(numberError("99999999999999999999999", int: true) == .numberOutOfRange)
        #expect(numberError("1.0", int: true) == .notAnInteger)
        #expect(numberError("1e3", int: true) == .notAnInteger)
        #expect(numberError("\"2.5\"", int: true) == .notAnInteger)
        #expect(numberError("\"12a\"", int: true) == .invalidNumber)
        #expect(numberError("true", int: true) == .typeMismatch(expected: .number, found: .bool))
    }

    @Test("random Int64 values read back exactly (seeded)")
    func randomIntegers() throws {
        var random = SplitMix64(seed: 0x1A7)
        for _ in 0..<20_000 {
            let value = Int64(bitPattern: random.next()) >> Int64.random(in: 0...63, using: &random)
            #expect(try readInt64(String(value)) == value)
            #expect(try readInt64("\"\(value)\"") == value)
        }
    }
}
