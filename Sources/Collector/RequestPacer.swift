import Synchronization

/// Spaces requests evenly, at most `requestsPerSecond`, across every task that shares it: the
/// REST fallback of all of an exchange's connections, which share the exchange's limit per IP.
/// When the exchange answers "too many requests", ``hold(until:)`` stops them all until the
/// time it asked for.
public final class RequestPacer: Sendable {
    private struct State {
        var nextSlot: ContinuousClock.Instant?
        var heldUntil: ContinuousClock.Instant?
    }

    /// The time between two requests.
    public let spacing: Duration
    private let state: Mutex<State>

    /// - Parameter requestsPerSecond: more than zero.
    public init(requestsPerSecond: Double) {
        spacing = .nanoseconds(Int64((1e9 / max(requestsPerSecond, 1e-3)).rounded(.up)))
        state = Mutex(State())
    }

    /// Takes the next free slot, not before `now` nor before a hold ends: when the caller may
    /// send its request.
    public func reserve(at now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        state.withLock { state in
            let slot = max(state.nextSlot ?? now, now)
            state.nextSlot = slot + spacing
            return slot
        }
    }

    /// Sends no request before `instant` (later holds extend earlier ones, never shorten them).
    public func hold(until instant: ContinuousClock.Instant) {
        state.withLock { state in
            state.heldUntil = max(state.heldUntil ?? instant, instant)
            state.nextSlot = max(state.nextSlot ?? instant, instant)
        }
    }

    /// Whether a hold is in force at `now`.
    public func isHeld(at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in state.heldUntil.map { now < $0 } ?? false }
    }

    /// Waits for the next free slot; a slot reserved before a hold began is given up for one
    /// after it. Throws `CancellationError` when the task is cancelled.
    public func wait() async throws {
        while true {
            try await Task.sleep(until: reserve(), clock: .continuous)
            if !isHeld() { return }
        }
    }
}
