extension JSONReader {
    /// A JSON string as it appears in the input, between its quotes, escapes not yet decoded.
    ///
    /// It compares against ASCII literals without allocating (`key == "price"`, `case "price":` in a
    /// `switch`), and makes a `String` only when asked. It points into the reader's input: use it
    /// only while those bytes are alive.
    public struct StringView: CustomStringConvertible {
        /// The first byte after the opening quote.
        @usableFromInline let start: UnsafeRawPointer
        /// Number of bytes between the quotes, escape sequences as written.
        public let count: Int
        /// Whether `rawBytes` contains a backslash escape.
        public let hasEscapes: Bool
        /// Offset of the first byte after the opening quote in the document, for error reports.
        public let offset: Int

        /// The bytes between the quotes, escape sequences as written.
        public var rawBytes: UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: start, count: count)
        }

        /// The decoded text (escapes resolved, UTF-8 checked).
        public func string() throws(JSONReader.Error) -> String {
            guard hasEscapes else {
                if let bad = JSONReader.firstInvalidUTF8(in: rawBytes) { throw JSONReader.Error(offset + bad, .invalidUTF8) }
                return String(decoding: rawBytes, as: UTF8.self)
            }
            var decoded: [UInt8] = []
            try decodeEscapes(into: &decoded)
            // Escapes only produce valid UTF-8, so a bad byte comes from the raw text: report it there.
            if let bad = JSONReader.firstInvalidUTF8(in: rawBytes) { throw JSONReader.Error(offset + bad, .invalidUTF8) }
            return String(decoding: decoded, as: UTF8.self)
        }

        /// Whether the decoded text equals the ASCII `literal`.
        @inlinable @inline(__always)
        public func equals(_ literal: StaticString) -> Bool {
            if hasEscapes { return decodedEquals(literal) }
            // Most comparisons in a `switch` over keys fail on the length or the first byte, inline.
            guard count == literal.utf8CodeUnitCount else { return false }
            return count == 0 || (start.load(as: UInt8.self) == literal.utf8Start.pointee && rawBytesEqual(literal.utf8Start))
        }

        /// Whether the `count` raw bytes equal as many bytes at `other`.
        @usableFromInline
        func rawBytesEqual(_ other: UnsafePointer<UInt8>) -> Bool {
            for index in 0..<count where start.load(fromByteOffset: index, as: UInt8.self) != other[index] {
                return false
            }
            return true
        }

        /// `equals` for text with escapes, compared after decoding.
        @usableFromInline
        func decodedEquals(_ literal: StaticString) -> Bool {
            var decoded: [UInt8] = []
            do { try decodeEscapes(into: &decoded) } catch { return false }
            return decoded.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        /// Whether the text starts with the ASCII `prefix` (e.g. Bybit's `"tickers."` topics).
        /// A string with escapes is compared after decoding.
        public func hasPrefix(_ prefix: StaticString) -> Bool {
            let expected = UnsafeRawBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            guard hasEscapes else { return rawBytes.starts(with: expected) }
            var decoded: [UInt8] = []
            do { try decodeEscapes(into: &decoded) } catch { return false }
            return decoded.starts(with: expected)
        }

        @inlinable @inline(__always)
        public static func == (view: StringView, literal: StaticString) -> Bool {
            view.equals(literal)
        }

        /// Lets a `switch` over a key match string literals.
        @inlinable @inline(__always)
        public static func ~= (literal: StaticString, view: StringView) -> Bool {
            view.equals(literal)
        }

        /// The decoded text, or the raw bytes' lossy decoding when they are invalid; for logs.
        public var description: String {
            (try? string()) ?? String(decoding: rawBytes, as: UTF8.self)
        }

        /// Appends the decoded bytes (UTF-8 not checked) to `output`.
        func decodeEscapes(into output: inout [UInt8]) throws(JSONReader.Error) {
            output.reserveCapacity(output.count + rawBytes.count)
            var index = 0
            while index < rawBytes.count {
                let byte = rawBytes[index]
                guard byte == UInt8(ascii: "\\") else {
                    output.append(byte)
                    index += 1
                    continue
                }
                guard index + 1 < rawBytes.count else { throw JSONReader.Error(offset + index, .invalidEscape) }
                switch rawBytes[index + 1] {
                case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    index = try decodeUnicodeEscape(at: index, into: &output)
                    continue
                default:
                    throw JSONReader.Error(offset + index, .invalidEscape)
                }
                index += 2
            }
        }

        /// Decodes `\uXXXX` (and the low half of a surrogate pair after it) at `index`; returns the
        /// index after it.
        private func decodeUnicodeEscape(at index: Int, into output: inout [UInt8]) throws(JSONReader.Error) -> Int {
            guard let high = hexQuad(at: index + 2) else { throw JSONReader.Error(offset + index, .invalidEscape) }
            var scalarValue = UInt32(high)
            var next = index + 6
            if (0xD800...0xDBFF).contains(high) {
                guard next + 1 < rawBytes.count,
                      rawBytes[next] == UInt8(ascii: "\\"), rawBytes[next + 1] == UInt8(ascii: "u"),
                      let low = hexQuad(at: next + 2), (0xDC00...0xDFFF).contains(low)
                else { throw JSONReader.Error(offset + index, .invalidEscape) }
                scalarValue = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                next += 6
            }
            guard !(0xDC00...0xDFFF).contains(scalarValue) else { throw JSONReader.Error(offset + index, .invalidEscape) }
            JSONReader.appendUTF8(scalarValue, to: &output)
            return next
        }

        private func hexQuad(at index: Int) -> UInt16? {
            guard index >= 0, index + 4 <= rawBytes.count else { return nil }
            var value: UInt16 = 0
            for position in index..<(index + 4) {
                guard let digit = JSONReader.hexValue(rawBytes[position]) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            return value
        }
    }

    /// Reads a string value as a view into the input (no allocation).
    public mutating func readStringView() throws(Error) -> StringView {
        guard try peekByte() == UInt8(ascii: "\"") else { throw try mismatch(expected: .string) }
        return try scanString()
    }

    /// Reads a string value as a `String` (escapes decoded, UTF-8 checked).
    public mutating func readString() throws(Error) -> String {
        try readStringView().string()
    }

    /// Reads a string, or the literal text of a number, as a `String`: for identifiers that one
    /// exchange sends as `"123"` and another as `123`, beyond 2^53 included, without going through `Double`.
    public mutating func readStringOrNumber() throws(Error) -> String {
        guard try peekKind() == .number else { return try readString() }
        let start = offset
        offset = try scanNumber(from: start).end
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// Scans the string whose opening quote is at `offset`, checking its escapes and rejecting raw
    /// control characters; leaves `offset` after the closing quote.
    mutating func scanString() throws(Error) -> StringView {
        let start = offset + 1
        var index = start
        var hasEscapes = false
        while true {
            index = Self.skipPlainBytes(bytes, from: index)
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                index += 1
            }
            guard index < bytes.count else { throw Error(bytes.count, .truncated) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\""), let base = bytes.baseAddress {
                offset = index + 1
                return StringView(start: base + start, count: index - start, hasEscapes: hasEscapes, offset: start)
            }
            guard byte == UInt8(ascii: "\\") else { throw Error(index, .unexpectedByte(byte)) }
            hasEscapes = true
            index = try skipEscape(at: index)
        }
    }

    /// Moves past plain string bytes eight at a time: returns the index of the first quote,
    /// backslash or control character, or where fewer than eight bytes remain.
    @inline(__always)
    private static func skipPlainBytes(_ bytes: UnsafeRawBufferPointer, from index: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = index
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            // A byte is zero in `word ^ x·ones` where it equals x; `(w - ones) & ~w & highBits`
            // flags zero bytes and `(w - 0x20·ones) & ~w & highBits` bytes below 0x20. Borrows can
            // only flag bytes above a real match, so the lowest flag (first in memory, as the load
            // is little-endian) is exact.
            let quotes = word ^ (ones &* 0x22)
            let backslashes = word ^ (ones &* 0x5C)
            let special = (((quotes &- ones) & ~quotes)
                | ((backslashes &- ones) & ~backslashes)
                | ((word &- ones &* 0x20) & ~word)) & highBits
            if special != 0 { return index + special.trailingZeroBitCount >> 3 }
            index += 8
        }
        return index
    }

    /// Checks the escape sequence at `index` (a backslash) and returns the index after it.
    private func skipEscape(at index: Int) throws(Error) -> Int {
        guard index + 1 < bytes.count else { throw Error(bytes.count, .truncated) }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"),
             UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            for position in (index + 2)..<(index + 6) {
                guard position < bytes.count else { throw Error(bytes.count, .truncated) }
                guard Self.hexValue(bytes[position]) != nil else { throw Error(position, .invalidEscape) }
            }
            return index + 6
        default:
            throw Error(index, .invalidEscape)
        }
    }

    /// Appends the UTF-8 form of the Unicode scalar `value` (not a surrogate, at most U+10FFFF).
    static func appendUTF8(_ value: UInt32, to output: inout [UInt8]) {
        switch value {
        case ..<0x80:
            output.append(UInt8(value))
        case ..<0x800:
            output.append(0xC0 | UInt8(value >> 6))
            output.append(0x80 | UInt8(value & 0x3F))
        case ..<0x10000:
            output.append(0xE0 | UInt8(value >> 12))
            output.append(0x80 | UInt8((value >> 6) & 0x3F))
            output.append(0x80 | UInt8(value & 0x3F))
        default:
            output.append(0xF0 | UInt8(value >> 18))
            output.append(0x80 | UInt8((value >> 12) & 0x3F))
            output.append(0x80 | UInt8((value >> 6) & 0x3F))
            output.append(0x80 | UInt8(value & 0x3F))
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Offset of the first byte that starts an invalid UTF-8 sequence (overlong forms, surrogates
    /// and code points beyond U+10FFFF are invalid), or nil if all of `bytes` is valid.
    static func firstInvalidUTF8(in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= lower, second <= upper else { return index }
            for position in (index + 2)..<(index + length) where bytes[position] & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }
}
