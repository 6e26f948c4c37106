/// Accumulates lines into a ``LineBatch`` bounded by a line count and a byte size, and says when
/// to flush: when full, or when its oldest line is `maxAge` old. Pure: the caller passes the time.
///
/// ```swift
/// if batcher.append(line, now: clock.now) == .full {
///     try await writer.write(batcher.take())
///     _ = batcher.append(line, now: clock.now)
/// }
/// if batcher.flushReason(now: clock.now) != nil { try await writer.write(batcher.take()) }
/// ```
public struct LineBatcher: Sendable {
    /// Why a batch should be flushed.
    public enum FlushReason: Sendable, Hashable {
        /// It holds `maxLines` lines.
        case lines
        /// It holds at least `maxBytes` bytes.
        case bytes
        /// Its oldest line is `maxAge` old.
        case age
    }

    /// What ``append(_:now:)`` did.
    public enum AppendResult: Sendable, Hashable {
        /// The line is in the batch.
        case appended
        /// The line was not added: it would exceed a bound. Flush with ``take()`` and append again.
        case full
        /// The line was empty and ignored.
        case ignored
    }

    /// Most lines in a batch.
    public let maxLines: Int
    /// Most bytes in a batch (`\n`s included); a single longer line is accepted into an empty batch.
    public let maxBytes: Int
    /// Longest a line waits before ``flushReason(now:)`` says `.age`.
    public let maxAge: Duration

    private var batch = LineBatch()
    private var oldest: ContinuousClock.Instant?

    /// An empty batcher with the given bounds (each at least 1 line / 1 byte).
    public init(maxLines: Int = 5000, maxBytes: Int = 4 << 20, maxAge: Duration = .seconds(1)) {
        self.maxLines = max(1, maxLines)
        self.maxBytes = max(1, maxBytes)
        self.maxAge = maxAge
    }

    /// Lines held.
    public var count: Int { batch.count }
    /// Bytes held, `\n`s included.
    public var byteCount: Int { batch.byteCount }
    /// True when nothing is held.
    public var isEmpty: Bool { batch.isEmpty }

    /// When the batch will be due by age (nil when empty): sleep until then at most.
    public var deadline: ContinuousClock.Instant? { oldest.map { $0.advanced(by: maxAge) } }

    /// Adds `line` (with or without its `\n`) unless that would exceed `maxLines` or `maxBytes`.
    public mutating func append(_ line: some BidirectionalCollection<UInt8>, now: ContinuousClock.Instant) -> AppendResult {
        let length = line.count + (line.last == UInt8(ascii: "\n") ? 0 : 1)
        guard length > 1 else { return .ignored }
        guard batch.isEmpty || (batch.count < maxLines && batch.byteCount + length <= maxBytes) else { return .full }
        batch.append(line: line)
        if oldest == nil {
            oldest = now
        }
        return .appended
    }

    /// Whether to flush now, and why; nil while the batch may still grow and wait.
    public func flushReason(now: ContinuousClock.Instant) -> FlushReason? {
        guard let oldest else { return nil }
        if batch.count >= maxLines { return .lines }
        if batch.byteCount >= maxBytes { return .bytes }
        if oldest.duration(to: now) >= maxAge { return .age }
        return nil
    }

    /// Hands over the batch and starts an empty one.
    public mutating func take() -> LineBatch {
        defer {
            batch = LineBatch()
            oldest = nil
        }
        return batch
    }
}
