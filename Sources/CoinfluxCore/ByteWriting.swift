// Raw byte-writing primitives for the encoders' hot paths.
//
// `Array.append` checks uniqueness and capacity for every call, which dominates when a line is
// built from many small pieces. These helpers reserve room for a whole piece once and write it
// through a pointer. Every writer documents the most bytes it writes; callers reserve at least
// that (the tests exercise each writer at its longest output).

extension Array where Element == UInt8 {
    /// Appends the bytes `write` puts at the pointer it is given, which has room for `maxCount`
    /// bytes; `write` returns how many it wrote (at most `maxCount`).
    @inline(__always)
    mutating func appendUnsafe(maxCount: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        append(addingCapacity: maxCount) { span in
            span.withUnsafeMutableBufferPointer { buffer, initializedCount in
                guard let base = buffer.baseAddress else { return }
                initializedCount = Swift.min(write(base), buffer.count)
            }
        }
    }
}

/// Bytes stored zero-padded to a multiple of 8, so that copying them is a few 8-byte moves
/// instead of a `memcpy` call: used for the pre-escaped names of line protocol.
struct PaddedBytes: Sendable, Hashable {
    /// The bytes, then zeros up to a multiple of 8.
    private let storage: [UInt8]
    /// How many bytes are meaningful.
    let count: Int

    init(_ bytes: [UInt8]) {
        count = bytes.count
        storage = bytes + [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
    }

    /// Room `write(to:)` needs: `count` rounded up to a multiple of 8.
    var paddedCount: Int { storage.count }

    var isEmpty: Bool { count == 0 }

    /// Copies the bytes to `target`, which has room for ``paddedCount`` bytes (the padding is
    /// written too, and overwritten by whatever comes next); returns ``count``.
    @inline(__always)
    func write(to target: UnsafeMutablePointer<UInt8>) -> Int {
        storage.withUnsafeBytes { source in
            let destination = UnsafeMutableRawPointer(target)
            var offset = 0
            while offset < source.count {
                destination.storeBytes(
                    of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                    toByteOffset: offset,
                    as: UInt64.self
                )
                offset += 8
            }
        }
        return count
    }
}

/// The eight ASCII digits of `value` (below 10^8, zero-padded) packed in a `UInt64` so that
/// storing it little-endian writes them in reading order.
///
/// SIMD within a register: split into two 4-digit halves (32-bit lanes), each into two 2-digit
/// quarters (16-bit lanes), each into two digits (8-bit lanes). `x · 5243 >> 19` equals `x / 100`
/// for x < 10^4 and `x · 103 >> 10` equals `x / 10` for x < 100 (checked for every x); no product
/// reaches the next lane.
@inline(__always)
func eightDigits(_ value: UInt64) -> UInt64 {
    let (high, low) = value.quotientAndRemainder(dividingBy: 10_000)
    var lanes = high | (low << 32)
    let hundreds = ((lanes &* 5243) >> 19) & 0x0000_007F_0000_007F
    lanes = hundreds | ((lanes &- hundreds &* 100) << 16)
    let tens = ((lanes &* 103) >> 10) & 0x000F_000F_000F_000F
    lanes = tens | ((lanes &- tens &* 10) << 8)
    return lanes | 0x3030_3030_3030_3030
}

/// Stores 8 bytes at `target` (unaligned).
@inline(__always)
private func store8(_ bytes: UInt64, at target: UnsafeMutablePointer<UInt8>) {
    UnsafeMutableRawPointer(target).storeBytes(of: bytes.littleEndian, as: UInt64.self)
}

/// Writes `value` as exactly `count` decimal digits (zero-padded on the left) to `target`.
///
/// - Precondition: `value < 10^count`, `1 ≤ count ≤ 20`.
/// - Returns: `count`. Writes `max(8, count)` bytes: room for that much must exist; the bytes
///   after the digits are scratch for whatever comes next.
@inline(__always)
func writeDigits(_ value: UInt64, count: Int, to target: UnsafeMutablePointer<UInt8>) -> Int {
    if count <= 8 {
        // The leading (count - 8) digits are zeros: shift them out of the low bytes.
        store8(eightDigits(value) >> UInt64(8 &* (8 &- count)), at: target)
    } else if count <= 16 {
        let (high, low) = value.quotientAndRemainder(dividingBy: 100_000_000)
        store8(eightDigits(high) >> UInt64(8 &* (16 &- count)), at: target)
        store8(eightDigits(low), at: target + (count &- 8))
    } else {
        let (top, rest) = value.quotientAndRemainder(dividingBy: 10_000_000_000_000_000)
        let (middle, low) = rest.quotientAndRemainder(dividingBy: 100_000_000)
        store8(eightDigits(top) >> UInt64(8 &* (24 &- count)), at: target)
        store8(eightDigits(middle), at: target + (count &- 16))
        store8(eightDigits(low), at: target + (count &- 8))
    }
    return count
}

/// Writes the decimal digits of `value` to `target`, which has room for 20 bytes (enough for
/// `UInt64.max`); returns how many it wrote.
@inline(__always)
func writeDecimal(_ value: UInt64, to target: UnsafeMutablePointer<UInt8>) -> Int {
    writeDigits(value, count: decimalDigitCount(value), to: target)
}

/// Number of decimal digits of `value` (1 for 0).
///
/// Branch-free comparisons against every power of ten: no table (a global array costs a
/// lazy-initialisation check per access) and no mispredicted jump.
@inline(__always)
func decimalDigitCount(_ value: UInt64) -> Int {
    var count = 1
    count &+= value >= 10 ? 1 : 0
    count &+= value >= 100 ? 1 : 0
    count &+= value >= 1_000 ? 1 : 0
    count &+= value >= 10_000 ? 1 : 0
    count &+= value >= 100_000 ? 1 : 0
    count &+= value >= 1_000_000 ? 1 : 0
    count &+= value >= 10_000_000 ? 1 : 0
    count &+= value >= 100_000_000 ? 1 : 0
    count &+= value >= 1_000_000_000 ? 1 : 0
    count &+= value >= 10_000_000_000 ? 1 : 0
    count &+= value >= 100_000_000_000 ? 1 : 0
    count &+= value >= 1_000_000_000_000 ? 1 : 0
    count &+= value >= 10_000_000_000_000 ? 1 : 0
    count &+= value >= 100_000_000_000_000 ? 1 : 0
    count &+= value >= 1_000_000_000_000_000 ? 1 : 0
    count &+= value >= 10_000_000_000_000_000 ? 1 : 0
    count &+= value >= 100_000_000_000_000_000 ? 1 : 0
    count &+= value >= 1_000_000_000_000_000_000 ? 1 : 0
    count &+= value >= 10_000_000_000_000_000_000 ? 1 : 0
    return count
}
