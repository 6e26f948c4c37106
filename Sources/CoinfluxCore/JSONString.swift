/// JSON string literals written byte by byte, for the writers that build JSON without Foundation:
/// ``EventCodec`` and the exchange simulator's frames.
public enum JSONString {
    /// Writes `text` as a JSON string literal, quotes included, one byte at a time to `byte`:
    /// `"` and `\` escaped with a backslash, control characters as `\u00XX`, every other byte
    /// (UTF-8 included) as it is. Inlinable, so each writer gets it specialised to its buffer.
    @inlinable
    public static func write(_ text: String, byte: (UInt8) -> Void) {
        byte(UInt8(ascii: "\""))
        for value in text.utf8 {
            switch value {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                byte(UInt8(ascii: "\\"))
                byte(value)
            case 0x00..<0x20:
                byte(UInt8(ascii: "\\"))
                byte(UInt8(ascii: "u"))
                byte(UInt8(ascii: "0"))
                byte(UInt8(ascii: "0"))
                byte(hexDigit(value >> 4))
                byte(hexDigit(value & 0x0F))
            default:
                byte(value)
            }
        }
        byte(UInt8(ascii: "\""))
    }

    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
