import CoinfluxCore
import NIOCore

/// Byte-level JSON writing for the simulator's hot path.
///
/// Frames are assembled from static key fragments and numbers written digit by digit, so the
/// send loop never builds an intermediate `String` or dictionary per frame.
extension ByteBuffer {
    /// Writes a JSON string literal, escaping quotes, backslashes and control characters (``JSONString``).
    mutating func writeJSONString(_ text: String) {
        JSONString.write(text) { self.writeInteger($0) }
    }

    /// Writes a signed integer in decimal.
    mutating func writeDecimalInteger(_ value: Int64) {
        if value < 0 {
            self.writeInteger(UInt8(ascii: "-"))
            self.writeDecimalDigits(value.magnitude, minimumDigits: 1)
        } else {
            self.writeDecimalDigits(UInt64(value), minimumDigits: 1)
        }
    }

    /// Writes `value` with exactly `fractionDigits` digits after the point (0 ... 9), rounded
    /// half away from zero: `writeDecimal(31883000, fractionDigits: 8)` gives `31883000.00000000`.
    ///
    /// Non-finite values are written as `0` so a frame stays valid JSON whatever the walk does.
    mutating func writeDecimal(_ value: Double, fractionDigits: Int) {
        let digits = Swift.max(0, Swift.min(9, fractionDigits))
        guard value.isFinite else {
            self.writeInteger(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        let scale = Self.powersOfTen[digits]
        // Values beyond 2^63 never occur in a simulated market; clamp rather than trap.
        magnitude = Swift.min(magnitude, 9.0e18)
        var whole = UInt64(magnitude.rounded(.down))
        var fraction = UInt64(((magnitude - Double(whole)) * Double(scale)).rounded())
        if fraction >= scale {
            whole += 1
            fraction -= scale
        }
        if value < 0, whole != 0 || fraction != 0 {
            self.writeInteger(UInt8(ascii: "-"))
        }
        self.writeDecimalDigits(whole, minimumDigits: 1)
        if digits > 0 {
            self.writeInteger(UInt8(ascii: "."))
            self.writeDecimalDigits(fraction, minimumDigits: digits)
        }
    }

    /// Writes `value` as a JSON string holding a decimal with `fractionDigits` digits.
    mutating func writeQuotedDecimal(_ value: Double, fractionDigits: Int) {
        self.writeInteger(UInt8(ascii: "\""))
        self.writeDecimal(value, fractionDigits: fractionDigits)
        self.writeInteger(UInt8(ascii: "\""))
    }

    /// Writes an unsigned integer, left-padded with zeros to `minimumDigits` (at most 24).
    mutating func writeDecimalDigits(_ value: UInt64, minimumDigits: Int) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &scratch) { raw in
            var remaining = value
            var index = raw.count
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            while raw.count - index < minimumDigits, index > 0 {
                index -= 1
                raw[index] = UInt8(ascii: "0")
            }
            self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[index...]))
        }
    }

    private static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]
}
