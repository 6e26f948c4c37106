/// Appends the decimal digits of `value` (with a leading `-` when negative), without building a
/// `String`: `0`, `-42`, `1700000000000000000`, `-9223372036854775808`.
///
/// Shared by the line-protocol encoder (timestamps, integer fields) and the event codec.
/// - Parameters:
///   - value: Any `Int64`, including `Int64.min`.
///   - buffer: Receives the text (ASCII).
package func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
    buffer.appendUnsafe(maxCount: maxSignedDecimalLength) { writeDecimal(value, to: $0) }
}

/// Appends the decimal digits of `value`: `0`, `18446744073709551615`.
/// - Parameters:
///   - value: Any `UInt64`.
///   - buffer: Receives the text (ASCII).
package func appendDecimal(_ value: UInt64, to buffer: inout [UInt8]) {
    buffer.appendUnsafe(maxCount: 20) { writeDecimal(value, to: $0) }
}

/// The longest `writeDecimal(_: Int64, to:)` output: `-9223372036854775808`.
let maxSignedDecimalLength = 20

/// Writes `value` in decimal, with a `-` when negative, to `target`, which has room for
/// ``maxSignedDecimalLength`` bytes; returns how many it wrote.
@inline(__always)
func writeDecimal(_ value: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
    guard value < 0 else { return writeDecimal(value.magnitude, to: target) }
    target[0] = UInt8(ascii: "-")
    return 1 + writeDecimal(value.magnitude, to: target + 1)
}
