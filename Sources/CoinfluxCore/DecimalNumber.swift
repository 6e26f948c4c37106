#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON number token scanned from bytes: its first 19 significant digits as an integer, the
/// power of ten that scales them, and enough to hand the exact text to `strtod` when needed.
///
/// Conversion to `Double` is correctly rounded (the nearest `Double` to the decimal value, as
/// `Double(String)` gives): exact integer arithmetic when the value fits, Clinger's fast path
/// when both the mantissa (< 2^53) and the power of ten (≤ 10^22) are exact doubles, and `strtod`
/// over a copy of the token otherwise (more than 19 significant digits, such as Bithumb's
/// 29-digit decimals, or large exponents).
struct DecimalNumber {
    /// Up to 19 significant digits, leading zeros dropped.
    var mantissa: UInt64 = 0
    /// The value is `mantissa × 10^exponent` (plus the dropped digits when `truncated`).
    var exponent = 0
    /// Some non-zero digit beyond the 19th was dropped.
    var truncated = false
    var negative = false
    /// No fraction and no exponent in the text.
    var isInteger = true
    /// The token's bytes in the document.
    var start = 0
    var end = 0

    /// The largest mantissa that converts to `Double` exactly.
    private static let exactMantissaLimit: UInt64 = 1 << 53
    /// Powers of ten that are exact doubles.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    /// Cap on a written exponent's magnitude: anything beyond over- or underflows anyway, and the
    /// cap keeps the arithmetic from overflowing.
    private static let exponentCap = 100_000

    /// Scans a number with JSON's grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
    /// starting at `start`; the token ends at the first byte that cannot continue it.
    ///
    /// The prices and sizes of order books and trades (`"37000.12"`, `0.00100000`) take a short
    /// path: at most 19 digits in all and no exponent fit the mantissa as they are, leading zeros
    /// included, with no digit to weigh. Anything else, errors included, takes the full scan.
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONReader.Error) -> DecimalNumber {
        var index = start
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        if index < bytes.count, bytes[index] &- UInt8(ascii: "1") < 9 {
            // [1-9][0-9]*: eight digits at a time while they come in eights.
            while digits <= 11, index + 8 <= bytes.count,
                  let group = eightDigitValue(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))) {
                mantissa = mantissa &* 100_000_000 &+ group
                digits += 8
                index += 8
            }
            while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10, digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits += 1
                index += 1
            }
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
            digits = 1
            index += 1
        } else {
            return try scanFully(bytes, from: start)
        }
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10, digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits += 1
                fractionDigits += 1
                index += 1
            }
            // No fraction digit (`1.`) is an error the full scan reports.
            guard fractionDigits > 0 else { return try scanFully(bytes, from: start) }
        }
        // A 20th digit or an exponent: the full scan.
        if index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 || bytes[index] | 0x20 == UInt8(ascii: "e") {
            return try scanFully(bytes, from: start)
        }
        return DecimalNumber(mantissa: mantissa, exponent: -fractionDigits, truncated: false, negative: negative,
                             isInteger: fractionDigits == 0, start: start, end: index)
    }

    /// ``scan(_:from:)`` for every number JSON allows: more than 19 significant digits (the rest
    /// only marks `truncated`), exponents; and the grammar's errors.
    private static func scanFully(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONReader.Error) -> DecimalNumber {
        var number = DecimalNumber(start: start)
        var digitsKept = 0
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            number.negative = true
            index += 1
        }
        guard index < bytes.count else { throw JSONReader.Error(index, .truncated) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard isDigit(bytes[index]) else { throw JSONReader.Error(index, .invalidNumber) }
            number.addEightDigitGroups(bytes, at: &index, kept: &digitsKept)
            while index < bytes.count, isDigit(bytes[index]) {
                number.add(digit: bytes[index], inFraction: false, kept: &digitsKept)
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            number.isInteger = false
            index += 1
            guard index < bytes.count else { throw JSONReader.Error(index, .truncated) }
            guard isDigit(bytes[index]) else { throw JSONReader.Error(index, .invalidNumber) }
            if digitsKept > 0 {
                let before = index
                number.addEightDigitGroups(bytes, at: &index, kept: &digitsKept)
                number.exponent -= index - before
            }
            while index < bytes.count, isDigit(bytes[index]) {
                number.add(digit: bytes[index], inFraction: true, kept: &digitsKept)
                index += 1
            }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            number.isInteger = false
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count else { throw JSONReader.Error(index, .truncated) }
            guard isDigit(bytes[index]) else { throw JSONReader.Error(index, .invalidNumber) }
            var written = 0
            while index < bytes.count, isDigit(bytes[index]) {
                written = min(written * 10 + Int(bytes[index] &- UInt8(ascii: "0")), exponentCap)
                index += 1
            }
            number.exponent += exponentNegative ? -written : written
        }
        number.end = index
        return number
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Adds groups of eight digits at once while they are all significant and the mantissa has
    /// room for them: the long integers of times and ids take three steps instead of nineteen.
    /// Call only once a non-zero digit has been kept or in the integer part (no leading zeros).
    private mutating func addEightDigitGroups(_ bytes: UnsafeRawBufferPointer, at index: inout Int, kept: inout Int) {
        while kept <= 11, index + 8 <= bytes.count {
            // Little-endian load: the first digit is the lowest byte.
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            guard let group = Self.eightDigitValue(word) else { return }
            mantissa = mantissa &* 100_000_000 &+ group
            kept += 8
            index += 8
        }
    }

    /// The value of eight ASCII digits packed in `word` (first digit in the lowest byte), or nil if
    /// any byte is not a digit. SWAR: pairs, then quads, then the whole group, in three multiplies.
    private static func eightDigitValue(_ word: UInt64) -> UInt64? {
        // Every byte is 0x30...0x39 iff its high nibble is 3 and adding 6 does not carry into it.
        let highNibbles = (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
        guard highNibbles == 0x3333_3333_3333_3333 else { return nil }
        var value = word &- 0x3030_3030_3030_3030
        value = (value &* 10) &+ (value >> 8)
        let low = (value & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
        let high = ((value >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))
        return (low &+ high) >> 32
    }

    private mutating func add(digit byte: UInt8, inFraction: Bool, kept: inout Int) {
        let digit = UInt64(byte &- UInt8(ascii: "0"))
        if mantissa == 0, digit == 0 {
            // A leading zero: not significant.
            if inFraction { exponent -= 1 }
        } else if kept < 19 {
            mantissa = mantissa &* 10 &+ digit
            kept += 1
            if inFraction { exponent -= 1 }
        } else {
            if digit != 0 { truncated = true }
            if !inFraction { exponent += 1 }
        }
    }

    /// The nearest `Double`, or nil when the magnitude is beyond `Double.greatestFiniteMagnitude`.
    func doubleValue(in bytes: UnsafeRawBufferPointer) -> Double? {
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        let magnitude = truncated ? nil : fastMagnitude()
        guard let value = magnitude.map({ negative ? -$0 : $0 }) ?? parseWithStrtod(bytes) else { return nil }
        return value.isFinite ? value : nil
    }

    /// The magnitude when exact integer and floating-point arithmetic give it correctly rounded.
    private func fastMagnitude() -> Double? {
        var mantissa = self.mantissa
        var exponent = self.exponent
        if exponent == 0 { return Double(mantissa) }  // UInt64 → Double rounds to nearest.
        if mantissa > Self.exactMantissaLimit {
            // Trailing zeros (`31883000.00000000000`) make the mantissa large without adding precision.
            while mantissa % 10 == 0 {
                mantissa /= 10
                exponent += 1
            }
            guard mantissa <= Self.exactMantissaLimit else { return nil }
        }
        if exponent > 22 {
            // Move the excess of the power into the mantissa while it stays exact (Clinger's extension).
            let excess = exponent - 22
            guard excess <= 15 else { return nil }
            let (shifted, overflow) = mantissa.multipliedReportingOverflow(by: UInt64(Self.exactPowersOfTen[excess]))
            guard !overflow, shifted <= Self.exactMantissaLimit else { return nil }
            mantissa = shifted
            exponent = 22
        }
        guard exponent >= -22 else { return nil }
        // One exact operand each and a single rounding: correctly rounded.
        return exponent < 0
            ? Double(mantissa) / Self.exactPowersOfTen[-exponent]
            : Double(mantissa) * Self.exactPowersOfTen[exponent]
    }

    /// `strtod` over a NUL-terminated copy of the token (on the stack unless it is very long).
    private func parseWithStrtod(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let length = end - start
        guard start >= 0, length > 0, end <= bytes.count else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            guard let base = buffer.baseAddress, let source = bytes.baseAddress else { return nil }
            UnsafeMutableRawPointer(base).copyMemory(from: source + start, byteCount: length)
            base[length] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &stop)
            // The token was checked against JSON's grammar, which strtod accepts whole.
            guard let stop, stop == base + length else { return nil }
            return value
        }
    }
}
