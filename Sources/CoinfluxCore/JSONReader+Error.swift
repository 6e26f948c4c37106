extension JSONReader {
    /// The kinds of JSON values.
    public enum ValueKind: String, Sendable, Hashable, CaseIterable {
        case object, array, string, number, bool, null

        /// The kind a value starting with `byte` has, or nil if no value starts with it.
        init?(firstByte byte: UInt8) {
            switch byte {
            case UInt8(ascii: "{"): self = .object
            case UInt8(ascii: "["): self = .array
            case UInt8(ascii: "\""): self = .string
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): self = .number
            case UInt8(ascii: "t"), UInt8(ascii: "f"): self = .bool
            case UInt8(ascii: "n"): self = .null
            default: return nil
            }
        }
    }

    /// Why reading failed, and at which byte of the document.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// What went wrong.
        public enum Reason: Sendable, Hashable {
            /// The input ends inside a value.
            case truncated
            /// A byte that cannot appear here (a control character in a string, a missing `:` or `,`…).
            case unexpectedByte(UInt8)
            /// A backslash escape that JSON does not define, or a lone UTF-16 surrogate.
            case invalidEscape
            /// A string that is not valid UTF-8.
            case invalidUTF8
            /// Not a JSON number (or a string holding something other than one).
            case invalidNumber
            /// A number with a fraction or exponent where an integer was asked for.
            case notAnInteger
            /// A number too large for the type asked for.
            case numberOutOfRange
            /// A value of another kind than the one asked for.
            case typeMismatch(expected: ValueKind, found: ValueKind)
            /// Objects and arrays nested deeper than ``JSONReader/maximumDepth``.
            case tooDeep
            /// Something other than whitespace after the document.
            case trailingBytes
        }

        /// Offset of the offending byte from the start of the document.
        public var offset: Int
        public var reason: Reason

        public init(_ offset: Int, _ reason: Reason) {
            self.offset = offset
            self.reason = reason
        }

        public var description: String {
            "\(reason) at byte \(offset)"
        }
    }
}

extension JSONReader.Error.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated: "input ends too early"
        case .unexpectedByte(let byte): "unexpected \(Self.describe(byte))"
        case .invalidEscape: "invalid escape sequence"
        case .invalidUTF8: "invalid UTF-8"
        case .invalidNumber: "invalid number"
        case .notAnInteger: "number is not an integer"
        case .numberOutOfRange: "number out of range"
        case .typeMismatch(let expected, let found): "expected \(expected), found \(found)"
        case .tooDeep: "nesting deeper than \(JSONReader.maximumDepth)"
        case .trailingBytes: "unexpected bytes after the document"
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        let code = "0x" + (byte < 0x10 ? "0" : "") + hex
        guard byte >= 0x20, byte < 0x7F else { return "byte \(code)" }
        return "'\(Character(Unicode.Scalar(byte)))' (\(code))"
    }
}
