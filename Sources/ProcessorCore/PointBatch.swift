import CoinfluxCore
import InfluxWriter

/// Points derived from a run of messages, waiting to be written, with what is needed once they
/// are acknowledged: the offsets to commit, each line's source message (for dead letters) and
/// each event's time (for the end-to-end lag).
struct PointBatch: Sendable {
    /// The encoded lines.
    private(set) var buffer = LineProtocol.Buffer()
    /// Per line, the message it came from.
    private(set) var lineSources: [MessagePosition] = []
    /// Per partition, the next offset to commit once the batch is acknowledged.
    private(set) var commitOffsets: [Int: Int] = [:]
    /// Exchange and event time of every event whose points are in the batch.
    private(set) var eventTimes: [(exchange: Exchange, nanos: Int64)] = []
    /// Messages that could not be decoded, already sent to the dead-letter topic.
    var deadLetters = 0
    /// Messages covered (decoded or not).
    private(set) var messages = 0
    /// When the first message was added.
    private(set) var openedAt: ContinuousClock.Instant?

    var lineCount: Int { buffer.lineCount }
    var isEmpty: Bool { messages == 0 }

    /// Derives the points of `event` with `deriver` and notes the message as covered.
    mutating func add(_ event: MarketEvent, from source: MessagePosition, deriver: inout PointDeriver, tally: inout PointDeriver.Tally) {
        let before = buffer.lineCount
        deriver.apply(event, emit: true, into: &buffer, tally: &tally)
        let added = buffer.lineCount - before
        if added > 0 {
            lineSources.append(contentsOf: repeatElement(source, count: added))
            eventTimes.append((event.exchange, event.eventTimeNanos))
        }
        cover(source)
    }

    /// Notes a message as covered without points (undecodable, or a duplicate).
    mutating func cover(_ source: MessagePosition) {
        if openedAt == nil { openedAt = .now }
        messages += 1
        commitOffsets[source.partition] = max(commitOffsets[source.partition] ?? 0, source.offset + 1)
    }

    /// Forgets the offsets of partitions this member no longer owns (their lines stay: writing
    /// them is harmless, the partition's next owner writes the same points again).
    mutating func dropOffsets(of partitions: some Sequence<Int>) {
        for partition in partitions {
            commitOffsets[partition] = nil
        }
    }

    /// The lines as a writer batch.
    func lineBatch() -> LineBatch {
        buffer.withUnsafeBytes { LineBatch(bytes: $0) }
    }
}

/// Where a message is in the ticks topic (the topic is known to the reader): no reference
/// counting per line.
struct MessagePosition: Sendable, Hashable {
    var partition: Int
    var offset: Int
}
