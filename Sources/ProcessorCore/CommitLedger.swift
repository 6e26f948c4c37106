import Synchronization

/// Offsets whose points InfluxDB has acknowledged but that are not committed yet, and when they
/// are due: at most one commit per `interval`, so a processor working through a backlog commits
/// once a second rather than after every write (each commit is a write on the broker; on
/// noida-db, a save of its data). A crash re-reads at most `interval` more messages, whose
/// points are written again unchanged.
///
/// Shared by the write tasks (which acknowledge) and the intake loop (which commits what is due
/// when the stream has gone quiet, and everything at shutdown).
final class CommitLedger: Sendable {
    private struct State {
        /// Per partition, the next offset to commit.
        var offsets: [Int: Int] = [:]
        /// Messages those offsets cover.
        var messages = 0
        var lastCommit: ContinuousClock.Instant
    }

    /// Offsets taken for one commit (partition → next offset) and the messages they cover.
    typealias Due = (offsets: [Int: Int], messages: Int)

    /// Shortest time between two commits; zero commits after every acknowledged write.
    let interval: Duration
    private let state: Mutex<State>

    /// - Parameter start: counts as the last commit, so the first is due one interval later.
    init(interval: Duration, start: ContinuousClock.Instant = .now) {
        self.interval = interval
        state = Mutex(State(lastCommit: start))
    }

    /// Records acknowledged `offsets` (partition → next offset) covering `messages` messages.
    func acknowledge(_ offsets: [Int: Int], messages: Int) {
        state.withLock { state in
            state.offsets.merge(offsets) { max($0, $1) }
            state.messages += messages
        }
    }

    /// Takes the pending offsets if a commit is due at `now` (or `force`d), else returns none.
    /// A commit that then fails gives them back with ``acknowledge(_:messages:)``.
    func takeDue(at now: ContinuousClock.Instant, force: Bool = false) -> Due? {
        state.withLock { state in
            guard !state.offsets.isEmpty, force || state.lastCommit.duration(to: now) >= interval else { return nil }
            defer {
                state.offsets = [:]
                state.messages = 0
                state.lastCommit = now
            }
            return (state.offsets, state.messages)
        }
    }

    /// Forgets the offsets of partitions given up: their next owner reads from the last commit.
    func drop(partitions: [Int]) {
        state.withLock { state in
            for partition in partitions { state.offsets[partition] = nil }
            if state.offsets.isEmpty { state.messages = 0 }
        }
    }

    /// Messages acknowledged and not yet committed.
    var pendingMessages: Int { state.withLock { $0.messages } }
}
