/// A forward-only cursor over one JSON document held in memory, reading values straight from
/// the bytes: no intermediate `String`s, dictionaries or `Any`.
///
/// It is the one JSON reader of coinflux, shared by the exchange parsers and the event codec.
/// Every read is bounds-checked and every malformed input ends in a ``JSONReader/Error`` carrying
/// the byte offset; nesting deeper than ``maximumDepth`` is refused, so no input can crash it,
/// exhaust the stack or make it loop.
///
/// Typical use, an object whose members come in any order, unknown ones skipped:
///
/// ```swift
/// try JSONReader.parse(frame) { reader in
///     try reader.beginObject()
///     while let key = try reader.nextKey() {
///         switch key {
///         case "s": symbol = try reader.readString()
///         case "p": price = try reader.readDouble()      // "16578.50" or 16578.5
///         case "t": tradeID = try reader.readStringOrNumber()
///         case "data": try parseData(&reader)            // nested object or array
///         default: break                                 // value skipped automatically
///         }
///     }
/// }
/// ```
///
/// A value that the caller leaves unread after ``nextKey()`` or ``nextElement()`` is skipped
/// (and validated) automatically by the next call. Reads: ``readString()``, ``readStringView()``,
/// ``readStringOrNumber()``, ``readDouble()``, ``readOptionalDouble()``, ``readInt64()``,
/// ``readBool()``, ``consumeNull()``, ``peekKind()``, ``skipValue()``; numbers may come as JSON
/// numbers or as strings holding one. ``StringView``s returned by the reader point into the input
/// bytes: use them only while those bytes are alive (inside the `parse` body).
public struct JSONReader {
    /// The deepest nesting of objects and arrays accepted; deeper input fails with `.tooDeep`.
    public static let maximumDepth = 64

    /// The document.
    let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public internal(set) var offset: Int
    /// Objects and arrays currently open.
    var depth = 0
    /// True right after `beginObject`/`beginArray`: the next member or element is the first one.
    var atFirstMember = false
    /// Where the value of the last key or element starts, to skip it when the caller did not read it.
    var pendingValueOffset = -1

    /// Creates a reader at the start of `bytes`. The bytes must stay valid while the reader and
    /// any ``StringView`` it returned are in use; prefer `JSONReader.parse`, which scopes them.
    public init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Reads one JSON document: runs `body` on a reader at its start, skips the top-level value if
    /// `body` did not read it, then checks that only whitespace follows.
    ///
    /// - Parameters:
    ///   - bytes: the document, UTF-8.
    ///   - body: reads the value; errors it throws are rethrown unchanged.
    /// - Throws: ``JSONReader/Error`` for malformed input, or whatever `body` throws.
    public static func parse<Result>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (inout JSONReader) throws -> Result
    ) throws -> Result {
        var reader = JSONReader(bytes: bytes)
        reader.skipWhitespace()
        let start = reader.offset
        let result = try body(&reader)
        if reader.offset == start { try reader.skipValue() }
        try reader.finish()
        return result
    }

    /// Reads one JSON document from any byte collection (`[UInt8]`, `ArraySlice`, `Data`…);
    /// contiguous storage is read in place, anything else is copied first.
    public static func parse<Bytes: Collection<UInt8>, Result>(
        _ bytes: Bytes,
        _ body: (inout JSONReader) throws -> Result
    ) throws -> Result {
        if let result = try bytes.withContiguousStorageIfAvailable({ try parse(UnsafeRawBufferPointer($0), body) }) {
            return result
        }
        return try Array(bytes).withUnsafeBytes { try parse($0, body) }
    }

    /// Checks that nothing but whitespace is left.
    public mutating func finish() throws(Error) {
        skipWhitespace()
        if offset < bytes.count { throw Error(offset, .trailingBytes) }
    }

    // MARK: Objects and arrays

    /// Enters the object that is the next value; then call ``nextKey()`` until it returns nil.
    public mutating func beginObject() throws(Error) {
        try begin(.object, opening: UInt8(ascii: "{"))
    }

    /// The key of the next member of the current object, with the reader positioned on its value;
    /// nil after the closing `}`, which leaves the object. A value the caller did not read is
    /// skipped first.
    public mutating func nextKey() throws(Error) -> StringView? {
        guard try advanceToNext(closing: UInt8(ascii: "}")) else { return nil }
        var byte = try peekByte()
        guard byte == UInt8(ascii: "\"") else { throw Error(offset, .unexpectedByte(byte)) }
        let key = try scanString()
        byte = try peekByte()
        guard byte == UInt8(ascii: ":") else { throw Error(offset, .unexpectedByte(byte)) }
        offset += 1
        skipWhitespace()
        pendingValueOffset = offset
        return key
    }

    /// Enters the array that is the next value; then call ``nextElement()`` until it returns false.
    public mutating func beginArray() throws(Error) {
        try begin(.array, opening: UInt8(ascii: "["))
    }

    /// Positions the reader on the next element of the current array and returns true; returns false
    /// after the closing `]`, which leaves the array. An element the caller did not read is skipped first.
    public mutating func nextElement() throws(Error) -> Bool {
        guard try advanceToNext(closing: UInt8(ascii: "]")) else { return false }
        skipWhitespace()
        pendingValueOffset = offset
        return true
    }

    /// The kind of the next value, without consuming it.
    public mutating func peekKind() throws(Error) -> ValueKind {
        let byte = try peekByte()
        guard let kind = ValueKind(firstByte: byte) else { throw Error(offset, .unexpectedByte(byte)) }
        return kind
    }

    /// Consumes the next value if it is `null` and returns true; otherwise consumes nothing.
    public mutating func consumeNull() throws(Error) -> Bool {
        guard try peekByte() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws(Error) -> Bool {
        switch try peekByte() {
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return false
        default:
            throw try mismatch(expected: .bool)
        }
    }

    /// Skips the next value, whatever it is, checking its syntax (strings are not checked for UTF-8).
    public mutating func skipValue() throws(Error) {
        let byte = try peekByte()
        switch byte {
        case UInt8(ascii: "{"):
            try beginObject()
            while try nextKey() != nil {}
        case UInt8(ascii: "["):
            try beginArray()
            while try nextElement() {}
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            offset = try scanNumber(from: offset).end
        case UInt8(ascii: "t"):
            try expectLiteral("true")
        case UInt8(ascii: "f"):
            try expectLiteral("false")
        case UInt8(ascii: "n"):
            try expectLiteral("null")
        default:
            throw Error(offset, .unexpectedByte(byte))
        }
    }

    // MARK: Internals shared by the extensions

    /// Moves past spaces, tabs, line feeds and carriage returns.
    @inline(__always)
    mutating func skipWhitespace() {
        // Compact JSON has none: test the common case first.
        guard offset < bytes.count, bytes[offset] <= 0x20 else { return }
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inline(__always)
    mutating func peekByte() throws(Error) -> UInt8 {
        skipWhitespace()
        guard offset < bytes.count else { throw Error(offset, .truncated) }
        return bytes[offset]
    }

    /// The error for a value of the wrong kind at the current offset.
    mutating func mismatch(expected: ValueKind) throws(Error) -> Error {
        let byte = try peekByte()
        guard let found = ValueKind(firstByte: byte) else { return Error(offset, .unexpectedByte(byte)) }
        return Error(offset, .typeMismatch(expected: expected, found: found))
    }

    private mutating func begin(_ kind: ValueKind, opening: UInt8) throws(Error) {
        guard try peekByte() == opening else { throw try mismatch(expected: kind) }
        guard depth < Self.maximumDepth else { throw Error(offset, .tooDeep) }
        depth += 1
        offset += 1
        atFirstMember = true
    }

    /// Skips an unread previous value, then consumes the separator: returns false (and leaves the
    /// container) at `closing`, true when another member or element follows.
    private mutating func advanceToNext(closing: UInt8) throws(Error) -> Bool {
        if atFirstMember {
            atFirstMember = false
            guard try peekByte() != closing else { return leave() }
            return true
        }
        if offset == pendingValueOffset { try skipValue() }
        let byte = try peekByte()
        if byte == UInt8(ascii: ",") {
            offset += 1
            return true
        }
        guard byte == closing else { throw Error(offset, .unexpectedByte(byte)) }
        return leave()
    }

    private mutating func leave() -> Bool {
        offset += 1
        depth -= 1
        return false
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Error) {
        let count = literal.utf8CodeUnitCount
        for index in 0..<count {
            guard offset + index < bytes.count else { throw Error(offset + index, .truncated) }
            let byte = bytes[offset + index]
            guard byte == literal.utf8Start[index] else { throw Error(offset + index, .unexpectedByte(byte)) }
        }
        offset += count
    }
}
