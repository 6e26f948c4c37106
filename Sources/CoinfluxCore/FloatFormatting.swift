/// Appends the shortest decimal text that reads back as exactly `value`: the same bytes as
/// `value.description` (`1.0`, `-0.0`, `0.1`, `67123.45`, `1.5e-05`, `1e+16`, `5e-324`, `nan`,
/// `inf`, `-inf`), without building a `String`.
///
/// Shared by the line-protocol encoder and the event codec. Integral values keep their `.0`, and
/// negative zero prints as `-0.0`. Callers whose format cannot carry non-finite values (line
/// protocol, JSON) must check `isFinite` first.
/// - Parameters:
///   - value: Any `Double`.
///   - buffer: Receives the text (ASCII).
package func appendShortest(_ value: Double, to buffer: inout [UInt8]) {
    buffer.appendUnsafe(maxCount: maxShortestLength) { writeShortest(value, to: $0) }
}

/// Room `writeShortest` needs. Its longest output is 24 bytes (`-2.2250738585072014e-308`), but
/// the runtime formatter requires a 32-byte work area.
let maxShortestLength = 32

/// Writes the text of ``appendShortest(_:to:)`` to `target`, which has room for
/// ``maxShortestLength`` bytes; returns how many it wrote.
///
/// Speed: values with a short decimal form (exchange prices and sizes such as `67123.45`, up to
/// about 15 significant digits) take a pure-arithmetic path; the rest (typically computed ratios
/// with 16–17 digits) go to the Swift runtime's own formatter, the one behind `description`.
/// The tests compare both paths with `description` on millions of values.
@inline(__always)
func writeShortest(_ value: Double, to target: UnsafeMutablePointer<UInt8>) -> Int {
    let length = writeShortDecimal(value, to: target)
    if length > 0 { return length }
    if value.isNaN {
        // Like `description`: no sign, no payload (the runtime would print `-snan(0x…)`).
        target[0] = UInt8(ascii: "n")
        target[1] = UInt8(ascii: "a")
        target[2] = UInt8(ascii: "n")
        return 3
    }
    return writeWithRuntime(value, to: target)
}

/// The fast path of `writeShortest`: handles zero and normal values below 2^52 whose shortest
/// form has at most K digits after the point (K below), and returns 0 (having written nothing
/// meaningful) for anything else. Uses at most 22 bytes of `target`.
///
/// Why it is exact: K (`maxFraction`) is the largest K ≤ 22 with `|value| · 10^K < 2^52`, so at
/// most one decimal with K fraction digits rounds to `value`. With `n` the product rounded to
/// an integer, `n / 10^K == value` (a correctly rounded division of two exact numbers, i.e.
/// what parsing that decimal yields) proves `n` is that unique decimal; any shorter decimal
/// that reads back as `value` is also a K-digit one, so stripping trailing zeros from `n` gives
/// the shortest form, which is what `description` prints (it picks the closest of the shortest
/// forms, and there is only one). When the test fails the value has no such short form and the
/// runtime formatter takes over.
private func writeShortDecimal(_ value: Double, to target: UnsafeMutablePointer<UInt8>) -> Int {
    let magnitude = value.magnitude
    let negative = value.sign == .minus
    if magnitude == 0 {
        var cursor = target
        if negative {
            cursor[0] = UInt8(ascii: "-")
            cursor += 1
        }
        cursor[0] = UInt8(ascii: "0")
        cursor[1] = UInt8(ascii: ".")
        cursor[2] = UInt8(ascii: "0")
        return negative ? 4 : 3
    }
    // The binary exponent from the bits (`Double.exponent` is an out-of-line call).
    let biasedExponent = Int(truncatingIfNeeded: magnitude.bitPattern >> 52)
    guard biasedExponent != 0, biasedExponent - 1023 <= 51 else { return 0 }
    // floor((51 - e) · log10 2); the multiplier form is exact for 0 ≤ 51 - e ≤ 1650.
    let maxFraction = Swift.min(22, ((51 - (biasedExponent - 1023)) &* 78_913) >> 18)
    let scale = powerOfTen(maxFraction)
    // Round to an integer, ties to even, without a libm call: the product is below 2^52, so
    // adding 2^52 lands in [2^52, 2^53], where the spacing of doubles is 1; there the low 52
    // bits of the representation are the integer itself (2^53, from a product rounded up to
    // 2^52, is refused).
    let shifted = magnitude * scale + 0x1p52
    guard shifted < 0x1p53, (shifted - 0x1p52) / scale == magnitude else { return 0 }

    var significand = shifted.bitPattern & 0x000F_FFFF_FFFF_FFFF
    var fraction = maxFraction
    while fraction >= 8, significand % 100_000_000 == 0 {
        significand /= 100_000_000
        fraction -= 8
    }
    if fraction >= 4, significand % 10_000 == 0 {
        significand /= 10_000
        fraction -= 4
    }
    if fraction >= 2, significand % 100 == 0 {
        significand /= 100
        fraction -= 2
    }
    if fraction >= 1, significand % 10 == 0 {
        significand /= 10
        fraction -= 1
    }

    let digitCount = decimalDigitCount(significand)
    var cursor = target
    if negative {
        cursor[0] = UInt8(ascii: "-")
        cursor += 1
    }
    let signLength = negative ? 1 : 0
    let decimalExponent = digitCount - 1 - fraction

    if decimalExponent < -4 {
        // Below 1e-4 Swift uses exponent form with at least two exponent digits: 1.5e-05.
        // The digits go one byte right, then the first moves left of the point. The exponent
        // is at least -22 - 1 here, so two digits always suffice.
        _ = writeDigits(significand, count: digitCount, to: cursor + 1)
        cursor[0] = cursor[1]
        var end = cursor + 1
        if digitCount > 1 {
            cursor[1] = UInt8(ascii: ".")
            end = cursor + 1 + digitCount
        }
        let exponent = -decimalExponent
        end[0] = UInt8(ascii: "e")
        end[1] = UInt8(ascii: "-")
        end[2] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: exponent / 10)
        end[3] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: exponent % 10)
        return end + 4 - target
    }
    if fraction == 0 {
        // Integral: digits, then ".0".
        _ = writeDigits(significand, count: digitCount, to: cursor)
        cursor[digitCount] = UInt8(ascii: ".")
        cursor[digitCount + 1] = UInt8(ascii: "0")
        return signLength + digitCount + 2
    }
    if digitCount > fraction {
        // 123.45: all the digits, then the fraction moves one byte right to make room for the point.
        _ = writeDigits(significand, count: digitCount, to: cursor)
        let point = digitCount - fraction
        var index = digitCount
        while index > point {
            cursor[index] = cursor[index - 1]
            index -= 1
        }
        cursor[point] = UInt8(ascii: ".")
        return signLength + digitCount + 1
    }
    // 0.0012: "0.", the zeros the digits do not cover (at most 3, as 1e-4 ≤ |value| here), digits.
    cursor[0] = UInt8(ascii: "0")
    cursor[1] = UInt8(ascii: ".")
    let zeros = fraction - digitCount
    for index in 0..<zeros {
        cursor[2 + index] = UInt8(ascii: "0")
    }
    _ = writeDigits(significand, count: digitCount, to: cursor + 2 + zeros)
    return signLength + 2 + fraction
}

/// 10^`exponent` for 0 … 22, each exactly representable as a `Double`. A switch rather than a
/// global array: it compiles to a constant table without a lazy-initialisation check.
@inline(__always)
private func powerOfTen(_ exponent: Int) -> Double {
    switch exponent {
    case 0: 1e0
    case 1: 1e1
    case 2: 1e2
    case 3: 1e3
    case 4: 1e4
    case 5: 1e5
    case 6: 1e6
    case 7: 1e7
    case 8: 1e8
    case 9: 1e9
    case 10: 1e10
    case 11: 1e11
    case 12: 1e12
    case 13: 1e13
    case 14: 1e14
    case 15: 1e15
    case 16: 1e16
    case 17: 1e17
    case 18: 1e18
    case 19: 1e19
    case 20: 1e20
    case 21: 1e21
    default: 1e22
    }
}

/// The Swift runtime's shortest round-trip formatter, the one behind `Double.description`.
///
/// Declared here because the standard library does not expose it publicly; its C signature is
/// `uint64_t swift_float64ToString(char *buffer, size_t length, double value, bool debug)` and it
/// returns the number of bytes written (no terminator). The tests pin `appendShortest` to
/// `description`, so a toolchain that changed this function would fail them.
@_silgen_name("swift_float64ToString")
private func runtimeFloat64ToString(
    _ buffer: UnsafeMutablePointer<UInt8>,
    _ length: UInt,
    _ value: Double,
    _ debug: Bool
) -> UInt64

/// The slow path of `writeShortest`: the runtime formatter, given all 32 bytes at `target`.
///
/// The area is filled with ASCII `0` first. Since Swift 6.2 this entry point wraps a new
/// implementation that writes only the digits it must and relies on the rest of the area already
/// holding `0` characters; later upstream versions of the wrapper fill it themselves
/// (swiftlang/swift, stdlib/public/core/FloatingPointToString.swift). Without the fill, 6.3.1
/// returns `�.25` for `0.25` and `1.` plus a stray byte for `1.0` (found by the tests).
private func writeWithRuntime(_ value: Double, to target: UnsafeMutablePointer<UInt8>) -> Int {
    target.initialize(repeating: UInt8(ascii: "0"), count: maxShortestLength)
    return Int(runtimeFloat64ToString(target, UInt(maxShortestLength), value, false))
}
