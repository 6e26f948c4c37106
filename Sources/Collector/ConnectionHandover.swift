import CoinfluxCore
import Synchronization

/// The replacement of a connection that reached its exchange's lifetime limit, made before the
/// old connection closes (make before break): the successor reports once it is subscribed and
/// receiving, the old connection reads on for an overlap and only then ends, and the
/// ``HandoverRelay`` puts their events in order, so no tick or trade falls in a gap or repeats.
final class ConnectionHandover: Sendable {
    enum Outcome: Sendable, Equatable {
        /// The successor receives frames: the old connection may close.
        case ready
        /// The successor ended before receiving anything (or the wait was cancelled).
        case failed
    }

    private struct State {
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
    }

    private let state = Mutex(State())

    /// Settles the handover; only the first call counts.
    func settle(_ outcome: Outcome) {
        let waiter: CheckedContinuation<Outcome, Never>? = state.withLock { state in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    /// Waits until the handover is settled; cancelling the waiting task settles it as failed.
    func outcome() async -> Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let settled: Outcome? = state.withLock { state in
                    if let outcome = state.outcome { return outcome }
                    state.waiter = continuation
                    return nil
                }
                if let settled { continuation.resume(returning: settled) }
            }
        } onCancel: {
            settle(.failed)
        }
    }
}

/// The connection tasks of one feed: the current one and, during a handover, its successor.
/// Unstructured, so that a successor can outlive the session that started it; cancelled together.
final class ConnectionTasks: Sendable {
    typealias Connection = Task<FeedDisconnect, Never>

    private struct State {
        var current: Connection?
        var successor: Connection?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Makes `start()`'s task the current connection (cancelled at once if the feed is stopping).
    func startCurrent(_ start: () -> Connection) -> Connection {
        let task = start()
        let cancelled = state.withLock { state in
            state.current = task
            return state.cancelled
        }
        if cancelled { task.cancel() }
        return task
    }

    /// Starts a successor unless one is already being set up; returns whether it started.
    func startSuccessor(_ start: () -> Connection) -> Bool {
        state.withLock { state in
            guard state.successor == nil, !state.cancelled else { return false }
            state.successor = start()
            return true
        }
    }

    /// The successor, which becomes the current connection.
    func promoteSuccessor() -> Connection? {
        state.withLock { state in
            guard let successor = state.successor else { return nil }
            state.successor = nil
            state.current = successor
            return successor
        }
    }

    /// Forgets a successor that failed, so that another can be started.
    func discardSuccessor() {
        state.withLock { $0.successor = nil }
    }

    /// Cancels the current connection and any successor; later ones start cancelled.
    func cancelAll() {
        let tasks = state.withLock { state in
            state.cancelled = true
            return [state.current, state.successor]
        }
        for task in tasks { task?.cancel() }
    }
}
