import CoinfluxCore

/// How an exchange's book messages follow each other, and so how a local book is kept in sync.
public enum BookSequencing: Sendable, Hashable {
    /// Every message is a full snapshot of the sent depth (Upbit, Bithumb, Coinone): each replaces
    /// the book; one older than the last applied (by update id where sent, Coinone's `id`, else by
    /// event time) is ignored.
    case snapshots
    /// Binance's diff-depth stream: deltas carrying `U`…`u`, synchronised with a REST snapshot's
    /// `lastUpdateId` (deltas with `u` ≤ it are dropped, the first applied one has
    /// `U` ≤ `lastUpdateId` + 1 ≤ `u`, then each `U` is the previous `u` + 1).
    case snapshotThenRangedDeltas
    /// Bybit v5 `orderbook.N`: a snapshot message (or any with `u` = 1) resets the book, then deltas
    /// whose `u` counts up by one each (Bybit documents `u` as "generally consecutive"; a jump is
    /// taken as a missed message).
    case streamedSnapshotThenDeltas

    /// How a book of this kind is recovered after it fell out of sync.
    public var recovery: BookRecovery {
        switch self {
        case .snapshots: .nextMessage
        case .snapshotThenRangedDeltas: .restSnapshot
        case .streamedSnapshotThenDeltas: .resubscribe
        }
    }
}

/// What the feed does to get a fresh snapshot after a resynchronisation.
public enum BookRecovery: Sendable, Hashable {
    /// Nothing: the next message is a snapshot.
    case nextMessage
    /// Request the REST snapshot (the stream's deltas are buffered meanwhile).
    case restSnapshot
    /// Unsubscribe and subscribe the market again: the exchange answers with a snapshot.
    case resubscribe
}

/// Why a book was resynchronised; the `reason` label of `coinflux_orderbook_resyncs_total`.
public enum BookResyncReason: String, Sendable, Hashable, CaseIterable {
    /// An update id did not follow the previous one: a message was missed.
    case sequenceGap = "sequence_gap"
    /// The best bid reached the best ask: an update was missed or misapplied.
    case crossed
    /// No message for longer than the allowed age.
    case stale
    /// The REST snapshot was older than the first buffered delta, or too many deltas piled up
    /// waiting for it.
    case snapshotMismatch = "snapshot_mismatch"
}

/// Keeps one market's local book in sync with an exchange by its sequencing rules.
///
/// Pure: the feed hands it every parsed `BookUpdate` (and, for Binance, the REST snapshot) and
/// acts on the outcome. The book is published only while `isSynchronized`; an outcome of
/// `.resynchronize` means it is out of sync until a fresh snapshot arrives by the sequencing's
/// `recovery`.
public struct BookSynchronizer: Sendable {
    /// What one message did.
    public enum Outcome: Sendable, Hashable {
        /// The book changed and is in sync: publish it.
        case updated
        /// Held until the snapshot arrives (a delta before the REST snapshot).
        case buffered
        /// Dropped: older than the book, or a delta while waiting for a streamed snapshot.
        case ignored
        /// The book fell out of sync for this reason; recover it by `sequencing.recovery`.
        case resynchronize(BookResyncReason)
    }

    /// Most deltas held while waiting for a REST snapshot before giving up on that snapshot.
    public static let bufferLimit = 10_000

    public let sequencing: BookSequencing
    /// The local book; meaningful only while `isSynchronized`.
    public private(set) var book = OrderBook()
    /// Whether the book reflects every message so far.
    public private(set) var isSynchronized = false
    /// The update id of the last applied message (nil where the exchange sends none).
    public private(set) var updateID: Int64?
    /// The event time of the last applied message (a REST snapshot's: its receipt), nanoseconds since the epoch.
    public private(set) var eventTimeNanos: Int64 = .min
    /// When the last message was received, nanoseconds since the epoch (for staleness).
    public private(set) var lastReceiveTimeNanos: Int64 = .min
    private var buffered: [BookUpdate] = []

    public init(sequencing: BookSequencing) {
        self.sequencing = sequencing
    }

    /// Applies one message from the stream.
    public mutating func receive(_ update: BookUpdate) -> Outcome {
        lastReceiveTimeNanos = max(lastReceiveTimeNanos, update.receiveTimeNanos)
        switch sequencing {
        case .snapshots:
            guard !isSynchronized || !isOlder(update) else { return .ignored }
            return replace(with: update)
        case .streamedSnapshotThenDeltas:
            // Bybit: "u"=1 is a snapshot after a restart of its service, whatever the type says.
            if update.kind == .snapshot || update.updateID == 1 { return replace(with: update) }
            guard isSynchronized, let last = updateID else { return .ignored }
            guard let id = update.updateID else { return outOfSync(.sequenceGap) }
            if id <= last { return .ignored }
            guard id == last + 1 else { return outOfSync(.sequenceGap) }
            return apply(update)
        case .snapshotThenRangedDeltas:
            guard isSynchronized else {
                guard buffered.count < Self.bufferLimit else {
                    buffered.removeAll()
                    return outOfSync(.snapshotMismatch)
                }
                buffered.append(update)
                return .buffered
            }
            return applyRanged(update)
        }
    }

    /// Applies the REST snapshot a `.snapshotThenRangedDeltas` book waits for, then the deltas
    /// buffered meanwhile that follow it.
    /// - Returns: `.updated` when in sync; `.resynchronize(.snapshotMismatch)` when the snapshot's
    ///   `lastUpdateId` is less than the first buffered delta's `U` (request another; the deltas
    ///   stay buffered), or the outcome of the first buffered delta that breaks the sequence.
    public mutating func receiveSnapshot(_ snapshot: BookUpdate) -> Outcome {
        lastReceiveTimeNanos = max(lastReceiveTimeNanos, snapshot.receiveTimeNanos)
        guard let snapshotID = snapshot.updateID else { return outOfSync(.snapshotMismatch) }
        if let first = buffered.first, let firstID = first.firstUpdateID ?? first.updateID, snapshotID < firstID {
            return outOfSync(.snapshotMismatch)
        }
        let pending = buffered
        buffered.removeAll()
        let outcome = replace(with: snapshot)
        guard outcome == .updated else { return outcome }
        for update in pending {
            if case .resynchronize(let reason) = applyRanged(update) { return .resynchronize(reason) }
        }
        return .updated
    }

    /// Marks the book out of sync when its last message is older than `maxAge` at `nowNanos`.
    /// - Returns: `.resynchronize(.stale)` when it did; nil when the book is fresh or already out of sync.
    public mutating func checkStaleness(nowNanos: Int64, maxAgeNanos: Int64) -> Outcome? {
        guard isSynchronized, nowNanos - lastReceiveTimeNanos > maxAgeNanos else { return nil }
        return outOfSync(.stale)
    }

    /// Whether a snapshot is older than the book: by update id when both have one, else by event time.
    private func isOlder(_ update: BookUpdate) -> Bool {
        if let id = update.updateID, let last = updateID { return id < last }
        return update.eventTimeNanos < eventTimeNanos
    }

    /// A Binance delta on a synchronised book: dropped when it ends at or before the book, a gap
    /// when it starts after the next id.
    private mutating func applyRanged(_ update: BookUpdate) -> Outcome {
        guard let last = updateID, let end = update.updateID else { return outOfSync(.sequenceGap) }
        if end <= last { return .ignored }
        guard (update.firstUpdateID ?? end) <= last + 1 else { return outOfSync(.sequenceGap) }
        return apply(update)
    }

    private mutating func replace(with snapshot: BookUpdate) -> Outcome {
        book.replace(bids: snapshot.bids, asks: snapshot.asks)
        return accept(snapshot)
    }

    private mutating func apply(_ delta: BookUpdate) -> Outcome {
        book.apply(bids: delta.bids, asks: delta.asks)
        return accept(delta)
    }

    private mutating func accept(_ update: BookUpdate) -> Outcome {
        guard !book.isCrossed else { return outOfSync(.crossed) }
        isSynchronized = true
        updateID = update.updateID
        // The stream's order is the book's: a delta after a REST snapshot (stamped with its receipt)
        // carries the exchange's time again.
        eventTimeNanos = update.eventTimeNanos
        return .updated
    }

    private mutating func outOfSync(_ reason: BookResyncReason) -> Outcome {
        isSynchronized = false
        updateID = nil
        book = OrderBook()
        return .resynchronize(reason)
    }
}
