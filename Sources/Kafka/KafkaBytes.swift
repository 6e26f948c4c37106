/// The key or value bytes of a consumed message: a read-only, zero-based view into a buffer that the
/// whole batch returned by ``KafkaConsumer/poll(maximumMessages:timeout:)`` shares (one allocation
/// per batch instead of two per message). Keeping any message alive keeps its batch's buffer alive;
/// copy with `Array(bytes)` to hold bytes longer than the batch.
public struct KafkaBytes: RandomAccessCollection, Hashable, Sendable, CustomStringConvertible {
    private let storage: [UInt8]
    private let range: Range<Int>

    init(storage: [UInt8], range: Range<Int>) {
        self.storage = storage
        self.range = range
    }

    /// Wraps bytes you already have (e.g. to compare with a received key).
    public init(_ bytes: [UInt8]) {
        self.init(storage: bytes, range: bytes.indices)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { range.count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < range.count, "KafkaBytes index out of range")
        return storage[range.lowerBound + position]
    }

    /// Calls `body` with the bytes in contiguous memory; the pointer must not escape `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[range]))
        }
    }

    public func withContiguousStorageIfAvailable<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result? {
        try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[range]))
        }
    }

    public static func == (lhs: KafkaBytes, rhs: KafkaBytes) -> Bool {
        lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in left.elementsEqual(right) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// The bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    public var description: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
