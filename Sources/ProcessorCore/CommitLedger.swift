/// Offsets whose points the writer has acknowledged but that are not committed yet, and when they
/// are due: at most one commit per `interval`, so a processor working through a backlog commits
/// once a second rather than after every write. A crash re-reads at most `interval` more
/// messages, whose points are written again unchanged.
///
/// A value owned by the processing loop: acknowledged coverage goes in when a write finishes,
/// due coverage comes out for a commit, and a failed commit gives it back.
public struct CommitLedger: Sendable {
    /// Shortest time between two commits; zero commits after every acknowledged write.
    public let interval: Duration
    /// Acknowledged and not yet committed.
    public private(set) var pending = Coverage()
    private var lastCommit: ContinuousClock.Instant

    /// - Parameter start: counts as the last commit, so the first is due one interval later.
    public init(interval: Duration, start: ContinuousClock.Instant) {
        self.interval = interval
        lastCommit = start
    }

    /// Records acknowledged coverage (or gives back that of a failed commit).
    public mutating func acknowledge(_ coverage: Coverage) {
        pending.merge(coverage)
    }

    /// Takes the pending coverage if a commit is due at `now` (or `force`d), else returns nil.
    public mutating func takeDue(at now: ContinuousClock.Instant, force: Bool = false) -> Coverage? {
        guard !pending.nextOffsets.isEmpty, force || lastCommit.duration(to: now) >= interval else { return nil }
        defer {
            pending = Coverage()
            lastCommit = now
        }
        return pending
    }

    /// Forgets the offsets of partitions given up: their next owner reads from the last commit.
    public mutating func drop(partitions: some Sequence<Int>) {
        pending.drop(partitions: partitions)
    }

    /// Messages acknowledged and not yet committed.
    public var pendingMessages: Int { pending.messages }
}
