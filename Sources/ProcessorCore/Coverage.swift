/// What a run of consumed messages covers in its source: per partition the next offset to commit
/// and the time of its oldest message, and how many messages there are. A batch being written,
/// acknowledged offsets waiting for a commit and a commit in flight each hold one.
public struct Coverage: Sendable, Equatable {
    /// Per partition, the offset after the last message covered: what a commit stores.
    public private(set) var nextOffsets: [Int: Int] = [:]
    /// Per partition, when its oldest covered message was stored in the source (nanoseconds since
    /// the epoch); absent where the source gives no time.
    public private(set) var oldestTimes: [Int: Int64] = [:]
    /// Messages covered (decoded or not).
    public private(set) var messages = 0

    public init() {}

    public var isEmpty: Bool { messages == 0 && nextOffsets.isEmpty }

    /// Adds one message at `position`, stored at `timeNanos` if the source knows.
    public mutating func add(_ position: MessagePosition, timeNanos: Int64?) {
        messages += 1
        nextOffsets[position.partition] = max(nextOffsets[position.partition] ?? 0, position.offset + 1)
        if let timeNanos {
            oldestTimes[position.partition] = min(oldestTimes[position.partition] ?? .max, timeNanos)
        }
    }

    /// Adds everything `other` covers: the highest next offset and the oldest time per partition.
    public mutating func merge(_ other: Coverage) {
        nextOffsets.merge(other.nextOffsets) { max($0, $1) }
        oldestTimes.merge(other.oldestTimes) { min($0, $1) }
        messages += other.messages
    }

    /// Forgets `partitions` (given up: their next owner reads from the last commit). The message
    /// count stays: those messages were consumed, and are counted until the rest is committed.
    public mutating func drop(partitions: some Sequence<Int>) {
        for partition in partitions {
            nextOffsets[partition] = nil
            oldestTimes[partition] = nil
        }
        if nextOffsets.isEmpty { messages = 0 }
    }

    /// Keeps only the partitions in `owned`.
    public mutating func keep(only owned: Set<Int>) {
        drop(partitions: nextOffsets.keys.filter { !owned.contains($0) })
    }
}
