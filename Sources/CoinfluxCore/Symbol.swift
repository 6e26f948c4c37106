/// A normalized spot market: `BASE-QUOTE`, upper case (`BTC-USDT`, `BTC-KRW`).
///
/// Each exchange adapter maps its own form (`btcusdt`, `KRW-BTC`, `BTC_KRW`) to and from this one.
public struct Symbol: Sendable, Hashable, CustomStringConvertible {
    /// The asset being priced, e.g. `BTC`. Kafka messages are keyed by it.
    public let base: String
    /// The asset the price is in, e.g. `USDT` or `KRW`.
    public let quote: String

    /// Creates a symbol from its two assets; both are upper-cased.
    public init(base: String, quote: String) {
        self.base = base.uppercased()
        self.quote = quote.uppercased()
    }

    /// Creates a symbol from the bytes of its two assets, ASCII letters and digits (unchecked),
    /// upper-casing letters on the way: the event codec's path, with no intermediate strings.
    init(asciiBase base: UnsafeRawBufferPointer, quote: UnsafeRawBufferPointer) {
        self.base = Self.upperCased(base)
        self.quote = Self.upperCased(quote)
    }

    private static func upperCased(_ ascii: UnsafeRawBufferPointer) -> String {
        guard ascii.contains(where: { $0 &- UInt8(ascii: "a") < 26 }) else { return String(decoding: ascii, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: ascii.count) { buffer in
            for (index, byte) in ascii.enumerated() {
                buffer[index] = byte &- UInt8(ascii: "a") < 26 ? byte - 0x20 : byte
            }
            return ascii.count
        }
    }

    /// Parses the normalized form `BASE-QUOTE`; returns nil unless there are exactly two
    /// non-empty parts made of ASCII letters and digits.
    public init?(normalized text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(Symbol.isAssetByte) })
        else { return nil }
        self.init(base: String(parts[0]), quote: String(parts[1]))
    }

    /// `BASE-QUOTE`.
    public var description: String { "\(base)-\(quote)" }

    static func isAssetByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
