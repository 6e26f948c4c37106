extension LineProtocol {
    /// A measurement name, escaped once (`,` and space) so that writing it only copies bytes.
    public struct Measurement: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The name as given.
        public let name: String
        /// The escaped bytes written into a line.
        let escaped: PaddedBytes

        /// Escapes `name`.
        /// - Throws: ``Rejection/empty``, ``Rejection/newline``,
        ///   ``Rejection/backslashBeforeSpecial`` or ``Rejection/unsafeStart``.
        public init(_ name: String) throws(Rejection) {
            guard let first = name.utf8.first else { throw .empty }
            if first == UInt8(ascii: "#") || first == UInt8(ascii: "\t") { throw .unsafeStart }
            self.name = name
            self.escaped = PaddedBytes(try escapedName(name, escapingEquals: false))
        }

        /// A measurement from a literal in the source code. An invalid literal is a programming
        /// error and stops the process; names from input go through the throwing initializer.
        /// (Swift also routes `Measurement("literal")` here, since SE-0213.)
        public init(stringLiteral name: String) {
            do {
                try self.init(name)
            } catch {
                preconditionFailure("invalid line-protocol measurement literal \(name.debugDescription): \(error)")
            }
        }
    }

    /// A tag key or field key, escaped once (`,`, `=` and space).
    public struct Key: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The key as given.
        public let name: String
        /// `,` + the escaped key + `=`: what precedes a tag or field value in a line (the first
        /// field replaces the `,` by a space).
        let prefix: PaddedBytes

        /// Escapes `name`.
        /// - Throws: ``Rejection/empty``, ``Rejection/newline``,
        ///   ``Rejection/backslashBeforeSpecial`` or ``Rejection/reservedKey`` (`time`).
        public init(_ name: String) throws(Rejection) {
            if name.isEmpty { throw .empty }
            if name == "time" { throw .reservedKey }
            let escaped = try escapedName(name, escapingEquals: true)
            self.name = name
            self.prefix = PaddedBytes([UInt8(ascii: ",")] + escaped + [UInt8(ascii: "=")])
        }

        /// A key from a literal in the source code. An invalid literal is a programming error
        /// and stops the process; keys from input go through the throwing initializer.
        /// (Swift also routes `Key("literal")` here, since SE-0213.)
        public init(stringLiteral name: String) {
            do {
                try self.init(name)
            } catch {
                preconditionFailure("invalid line-protocol key literal \(name.debugDescription): \(error)")
            }
        }
    }

    /// A tag value escaped once, for values that repeat on many lines (exchange, symbol, asset).
    /// An empty value is allowed and makes the tag disappear from the line.
    public struct TagValue: Sendable, Hashable {
        /// The value as given.
        public let value: String
        /// The escaped bytes written into a line.
        let escaped: PaddedBytes

        /// Escapes `value` (`,`, `=` and space).
        /// - Throws: ``Rejection/newline`` or ``Rejection/backslashBeforeSpecial``.
        public init(_ value: String) throws(Rejection) {
            self.value = value
            self.escaped = PaddedBytes(try escapedName(value, escapingEquals: true))
        }
    }
}

/// `text` escaped for a name (a measurement when `escapingEquals` is false; a tag key, tag
/// value or field key when true).
/// - Throws: Why it cannot be written.
func escapedName(_ text: String, escapingEquals: Bool) throws(LineProtocol.Rejection) -> [UInt8] {
    var bytes: [UInt8] = []
    var failure: LineProtocol.Rejection?
    var text = text
    text.withUTF8 { utf8 in
        bytes.appendUnsafe(maxCount: 2 * utf8.count) { target in
            switch writeEscaped(utf8, escapingEquals: escapingEquals, to: target) {
            case .success(let length):
                return length
            case .failure(let rejection):
                failure = rejection
                return 0
            }
        }
    }
    if let failure { throw failure }
    return bytes
}

/// Writes `text` escaped for a name to `target`, which has room for `2 · text.count` bytes;
/// returns the length written, or why the text cannot be written (having written part of it).
func writeEscaped(
    _ text: UnsafeBufferPointer<UInt8>,
    escapingEquals: Bool,
    to target: UnsafeMutablePointer<UInt8>
) -> Result<Int, LineProtocol.Rejection> {
    var count = 0
    var afterBackslash = false
    for byte in text {
        switch byte {
        case UInt8(ascii: "\n"):
            return .failure(.newline)
        case UInt8(ascii: ","), UInt8(ascii: " "):
            if afterBackslash { return .failure(.backslashBeforeSpecial) }
            target[count] = UInt8(ascii: "\\")
            count += 1
        case UInt8(ascii: "="):
            if afterBackslash { return .failure(.backslashBeforeSpecial) }
            if escapingEquals {
                target[count] = UInt8(ascii: "\\")
                count += 1
            }
        case UInt8(ascii: "\""):
            if afterBackslash { return .failure(.backslashBeforeSpecial) }
        default:
            break
        }
        target[count] = byte
        count += 1
        afterBackslash = byte == UInt8(ascii: "\\")
    }
    return afterBackslash ? .failure(.backslashBeforeSpecial) : .success(count)
}
