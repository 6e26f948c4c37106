#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// An ordered batch of already-encoded line-protocol lines, each stored `\n`-terminated.
///
/// Lines are numbered `0..<count` in the order they were added; ``RejectedLine/index`` refers to
/// these numbers. Splitting a batch (``halves()``) shares the bytes rather than copying them, and
/// each half keeps the original numbering.
public struct LineBatch: Sendable {
    /// All bytes of the batch this one was cut from (shared copy-on-write).
    private var storage: ByteBuffer
    /// `ends[i]` is the offset just past the `\n` of line `i` in `storage`.
    private var ends: [Int]
    /// The lines of `ends` that belong to this batch.
    private var lineRange: Range<Int>

    /// An empty batch.
    public init() {
        self.storage = ByteBuffer()
        self.ends = []
        self.lineRange = 0..<0
    }

    /// A batch holding every line of `bytes`, which are `\n`-separated line-protocol lines.
    ///
    /// Empty lines are skipped; a last line without `\n` gets one.
    public init(bytes: some Sequence<UInt8>) {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        if let last = buffer.readableBytesView.last, last != UInt8(ascii: "\n") {
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        let ends = buffer.withUnsafeReadableBytes(Self.lineEnds)
        self.init()
        if let ends {
            self.storage = buffer
            self.ends = ends
            self.lineRange = 0..<ends.count
        } else {
            for line in buffer.readableBytesView.split(separator: UInt8(ascii: "\n")) {
                append(line: line)
            }
        }
    }

    /// The offset just past each `\n` of `bytes`, found with `memchr` (a batch is megabytes of
    /// lines); nil when there is an empty line.
    private static func lineEnds(_ bytes: UnsafeRawBufferPointer) -> [Int]? {
        guard let base = bytes.baseAddress else { return [] }
        var ends: [Int] = []
        var start = 0
        while start < bytes.count, let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
            let end = base.distance(to: UnsafeRawPointer(found)) + 1
            guard end - 1 > start else { return nil }  // an empty line: take the slow path
            ends.append(end)
            start = end
        }
        return ends
    }

    /// A batch of the given lines (with or without their trailing `\n`), skipping empty ones.
    public init(lines: some Sequence<String>) {
        self.init()
        for line in lines {
            append(line: line.utf8)
        }
    }

    /// Appends one line. A trailing `\n` is added when missing; an empty line is ignored.
    ///
    /// The line must not contain `\n` except as its last byte (line protocol has no raw newlines
    /// inside a line); bytes after an inner `\n` would be read by InfluxDB as a line of their own.
    public mutating func append(line: some BidirectionalCollection<UInt8>) {
        var bytes = line[...]
        if bytes.last == UInt8(ascii: "\n") {
            bytes = bytes.dropLast()
        }
        guard !bytes.isEmpty else { return }
        makeStandalone()
        storage.writeBytes(bytes)
        storage.writeInteger(UInt8(ascii: "\n"))
        ends.append(storage.writerIndex)
        lineRange = lineRange.lowerBound..<ends.count
    }

    /// Number of lines.
    public var count: Int { lineRange.count }

    /// True when the batch holds no line.
    public var isEmpty: Bool { lineRange.isEmpty }

    /// Number of bytes of all lines, `\n`s included: the size of an uncompressed request body.
    public var byteCount: Int { byteRange.count }

    /// Numbers of the lines in this batch, as counted in the batch it was cut from.
    public var indices: Range<Int> { lineRange }

    /// The bytes of line `index` (one of ``indices``), without its `\n`.
    public func line(at index: Int) -> [UInt8] {
        let start = index == 0 ? 0 : ends[index - 1]
        return storage.getBytes(at: start, length: ends[index] - 1 - start) ?? []
    }

    /// The whole batch as one `\n`-terminated body, sharing this batch's storage.
    public var body: ByteBuffer {
        storage.getSlice(at: byteRange.lowerBound, length: byteRange.count) ?? ByteBuffer()
    }

    /// The first and the second half of the lines (the first half is the smaller one on odd counts).
    public func halves() -> (LineBatch, LineBatch) {
        let middle = lineRange.lowerBound + lineRange.count / 2
        return (slice(lineRange.lowerBound..<middle), slice(middle..<lineRange.upperBound))
    }

    /// Consecutive parts of at most `maxLines` lines and `maxBytes` bytes each (a single line
    /// larger than `maxBytes` forms a part of its own).
    public func chunks(maxLines: Int, maxBytes: Int) -> [LineBatch] {
        var parts: [LineBatch] = []
        var start = lineRange.lowerBound
        var startByte = byteRange.lowerBound
        for index in lineRange {
            let lines = index - start + 1
            let bytes = ends[index] - startByte
            if index > start, lines > maxLines || bytes > maxBytes {
                parts.append(slice(start..<index))
                start = index
                startByte = ends[index - 1]
            }
        }
        if start < lineRange.upperBound {
            parts.append(slice(start..<lineRange.upperBound))
        }
        return parts
    }

    private var byteRange: Range<Int> {
        guard !lineRange.isEmpty else { return 0..<0 }
        let start = lineRange.lowerBound == 0 ? 0 : ends[lineRange.lowerBound - 1]
        return start..<ends[lineRange.upperBound - 1]
    }

    private func slice(_ range: Range<Int>) -> LineBatch {
        var part = self
        part.lineRange = range
        return part
    }

    /// Appending to a batch that was cut from a larger one first copies its own lines out, so the
    /// numbering stays that of the lines actually held.
    private mutating func makeStandalone() {
        guard lineRange.lowerBound != 0 || lineRange.upperBound != ends.count else { return }
        let own = LineBatch(copying: self)
        self = own
    }

    private init(copying other: LineBatch) {
        self.init()
        for index in other.lineRange {
            append(line: other.line(at: index))
        }
    }
}

extension LineBatch: Equatable {
    /// Batches are equal when they hold the same lines, whatever their numbering.
    public static func == (lhs: LineBatch, rhs: LineBatch) -> Bool {
        lhs.count == rhs.count && lhs.body == rhs.body
    }
}
