import CoinfluxCore

/// Whether the messages a partition re-reads on assignment reach back far enough in time to
/// rebuild its state, and if not, how far back reading must start.
///
/// A source starts each assigned partition a number of messages (`processor.warmup_messages`)
/// before its committed offset. That count rebuilds the EMAs, but at a high rate it may not reach
/// back to the start of a candle minute still open at the committed offset. So each partition's
/// warm-up must also cover `window` of message time before its last re-read message (the state's
/// "now"): when the first re-read message is newer than that, the source rewinds the partition to
/// the first message at or after `last − window` (Kafka: offsets for times) and rebuilds its state
/// from there. A partition is extended at most once per assignment; a partition without message
/// times, or already starting at the window, is left as it is.
///
/// A value owned by one source: assignments go in, every polled message is observed in order.
public struct WarmupWindow: Sendable {
    /// How much message time before its last re-read message a partition's warm-up covers.
    public let windowNanos: Int64
    private var partitions: [Int: Progress] = [:]

    private struct Progress {
        /// First re-read offset and the committed offset: `start..<end` only rebuilds state.
        var range: Range<Int>
        /// Time of the first message seen at or after `range.lowerBound`.
        var firstTimeNanos: Int64?
        var wasExtended = false
        /// A rewind was asked for; the source has not said what it did yet.
        var isDeciding = false
    }

    /// What a partition's warm-up needs after a message.
    public enum Decision: Sendable, Equatable {
        /// Nothing: still warming up, or covered.
        case none
        /// The warm-up ended short of the window: start reading again from the first message at
        /// or after `timeNanos` (if that is before the current start), and rebuild the state.
        case rewind(partition: Int, timeNanos: Int64)
    }

    public init(window: Duration) {
        windowNanos = window.saturatingNanoseconds
    }

    /// A partition was assigned and starts re-reading at `rewound.lowerBound`; messages before
    /// `rewound.upperBound` (the committed offset) only rebuild state.
    public mutating func assigned(partition: Int, rewound: Range<Int>) {
        guard windowNanos > 0, !rewound.isEmpty else {
            partitions[partition] = nil
            return
        }
        partitions[partition] = Progress(range: rewound)
    }

    /// Partitions given up: nothing more to decide for them.
    public mutating func revoked(partitions revoked: some Sequence<Int>) {
        for partition in revoked { partitions[partition] = nil }
    }

    /// The source now reads `partition` from `start` (before its earlier start): its state is
    /// rebuilt from there, and it is not extended again.
    public mutating func extended(partition: Int, from start: Int) {
        guard let progress = partitions[partition] else { return }
        partitions[partition] = Progress(range: start..<progress.range.upperBound, wasExtended: true)
    }

    /// The source gave up extending `partition` (nothing older to read, or no answer).
    public mutating func settled(partition: Int) {
        partitions[partition] = nil
    }

    /// Partitions still warming up (or waiting for an extension to be decided).
    public var pending: Int { partitions.count }

    /// Observes one polled message of `position`, stored at `timeNanos`.
    public mutating func observe(_ position: MessagePosition, timeNanos: Int64?) -> Decision {
        guard var progress = partitions[position.partition], !progress.isDeciding, position.offset >= progress.range.lowerBound else {
            return .none
        }
        if progress.firstTimeNanos == nil { progress.firstTimeNanos = timeNanos }
        guard position.offset >= progress.range.upperBound - 1 else {
            partitions[position.partition] = progress
            return .none
        }
        // The last re-read message (or, if it was not delivered, the first new one).
        partitions[position.partition] = nil
        guard !progress.wasExtended, let first = progress.firstTimeNanos, let last = timeNanos else { return .none }
        // Message times are after the epoch (Kafka reads negative ones as "latest"/"earliest").
        let target = last.subtractingReportingOverflow(windowNanos)
        let needed = target.overflow ? 0 : max(0, target.partialValue)
        guard first > needed else { return .none }
        progress.isDeciding = true  // until the source says what it did
        partitions[position.partition] = progress
        return .rewind(partition: position.partition, timeNanos: needed)
    }
}
