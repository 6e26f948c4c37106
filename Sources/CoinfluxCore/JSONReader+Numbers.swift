extension JSONReader {
    /// Reads a number, from a JSON number (`31883000.00000000`) or from a string holding one in
    /// JSON's number syntax (`"16578.50"`), correctly rounded to the nearest `Double`.
    ///
    /// - Throws: `.invalidNumber` for a string that does not hold exactly one number (`""`,
    ///   `"NaN"`, `" 1"`), `.numberOutOfRange` beyond `Double.greatestFiniteMagnitude`,
    ///   `.typeMismatch` for other kinds.
    public mutating func readDouble() throws(Error) -> Double {
        let number = try readNumberToken()
        guard let value = number.doubleValue(in: bytes) else { throw Error(number.start, .numberOutOfRange) }
        return value
    }

    /// Like ``readDouble()``, but returns nil for `null` and for the empty string, which exchanges
    /// send for a missing price (Coinone's empty book side, Bybit's `usdIndexPrice`).
    public mutating func readOptionalDouble() throws(Error) -> Double? {
        if try consumeNull() { return nil }
        if offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\""), bytes[offset + 1] == UInt8(ascii: "\"") {
            offset += 2
            return nil
        }
        return try readDouble()
    }

    /// Reads an integer exactly (never through `Double`), from a JSON number or a string holding one:
    /// `17303368620470000` and `"17303368620470000"` both work.
    ///
    /// - Throws: `.notAnInteger` for a fraction or exponent (`1.0`, `1e3`), `.numberOutOfRange`
    ///   beyond `Int64`, `.invalidNumber` / `.typeMismatch` as ``readDouble()`` does.
    public mutating func readInt64() throws(Error) -> Int64 {
        let number = try readNumberToken()
        guard number.isInteger else { throw Error(number.start, .notAnInteger) }
        // An integer token keeps all its digits in `mantissa` unless it has more than 19, which
        // shows as a positive exponent (or truncation) and is beyond Int64 anyway.
        guard !number.truncated, number.exponent == 0 else { throw Error(number.start, .numberOutOfRange) }
        if number.negative {
            guard number.mantissa <= Int64.min.magnitude else { throw Error(number.start, .numberOutOfRange) }
            return Int64(truncatingIfNeeded: 0 &- number.mantissa)
        }
        guard number.mantissa <= UInt64(Int64.max) else { throw Error(number.start, .numberOutOfRange) }
        return Int64(number.mantissa)
    }

    /// Scans a number token at `start` without converting it.
    func scanNumber(from start: Int) throws(Error) -> DecimalNumber {
        try DecimalNumber.scan(bytes, from: start)
    }

    /// Consumes a JSON number, or a string made of exactly one JSON number, and returns it scanned.
    private mutating func readNumberToken() throws(Error) -> DecimalNumber {
        let byte = try peekByte()
        if byte == UInt8(ascii: "\"") {
            let contentStart = offset + 1
            // Not a number inside: report a broken string as such (truncated…), otherwise `.invalidNumber`.
            guard let number = try? scanNumber(from: contentStart),
                  number.end < bytes.count, bytes[number.end] == UInt8(ascii: "\"")
            else {
                _ = try scanString()
                throw Error(contentStart, .invalidNumber)
            }
            offset = number.end + 1
            return number
        }
        guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            throw try mismatch(expected: .number)
        }
        let number = try scanNumber(from: offset)
        offset = number.end
        return number
    }
}
