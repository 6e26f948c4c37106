import CoinfluxCore

/// Points derived from a run of messages, waiting to be written, with what is needed once they
/// are acknowledged: what the messages cover (offsets to commit), each line's source message and
/// the undecodable messages (for the dead letters), and each event's time (for the end-to-end lag).
public struct PointBatch: Sendable {
    /// The encoded lines.
    public private(set) var lines = LineProtocol.Buffer()
    /// Per line, the message it came from.
    public private(set) var lineSources: [MessagePosition] = []
    /// The messages covered, decoded or not.
    public private(set) var coverage = Coverage()
    /// Exchange and event time of every event whose points are in the batch.
    public private(set) var eventTimes: [(exchange: Exchange, nanos: Int64)] = []
    /// Messages that could not be decoded, to be dead-lettered with the batch.
    public private(set) var deadLetters: [DeadLetter] = []
    /// When the first message was added.
    public private(set) var openedAt: ContinuousClock.Instant?

    public init() {}

    public var lineCount: Int { lines.lineCount }
    public var messages: Int { coverage.messages }
    public var isEmpty: Bool { coverage.messages == 0 }

    /// Derives the points of the record of `message` with `deriver` and notes the message as covered.
    public mutating func add(_ record: MarketRecord, of message: SourceMessage, deriver: inout PointDeriver,
                             counts: inout DerivationCounts, now: ContinuousClock.Instant) {
        let before = lines.lineCount
        deriver.apply(record, emit: true, into: &lines, counts: &counts)
        let added = lines.lineCount - before
        if added > 0 {
            lineSources.append(contentsOf: repeatElement(message.position, count: added))
            if case .event(let event) = record { eventTimes.append((event.exchange, event.eventTimeNanos)) }
        }
        cover(message, now: now)
    }

    /// Notes an undecodable message: it goes to the dead letters with the batch and is covered.
    public mutating func addUndecodable(_ undecodable: Undecodable, of message: SourceMessage, topic: String, now: ContinuousClock.Instant) {
        deadLetters.append(DeadLetter(
            kind: .undecodable, reason: undecodable.reason,
            source: DeadLetter.Source(topic: topic, partition: message.position.partition, offset: message.position.offset),
            payload: undecodable.payload))
        cover(message, now: now)
    }

    private mutating func cover(_ message: SourceMessage, now: ContinuousClock.Instant) {
        if openedAt == nil { openedAt = now }
        coverage.add(message.position, timeNanos: message.timeNanos)
    }

    /// Forgets the offsets of partitions this member no longer owns (their lines stay: writing
    /// them is harmless, the partition's next owner writes the same points again).
    public mutating func dropCoverage(of partitions: some Sequence<Int>) {
        coverage.drop(partitions: partitions)
    }
}
