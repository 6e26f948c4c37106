import Synchronization

/// Spaces requests evenly, at most `requestsPerSecond`, across every task that shares it: the
/// REST fallback of all of an exchange's connections, which share the exchange's limit per IP.
public final class RequestPacer: Sendable {
    /// The time between two requests.
    public let spacing: Duration
    private let nextSlot: Mutex<ContinuousClock.Instant?>

    /// - Parameter requestsPerSecond: more than zero.
    public init(requestsPerSecond: Double) {
        spacing = .nanoseconds(Int64((1e9 / max(requestsPerSecond, 1e-3)).rounded(.up)))
        nextSlot = Mutex(nil)
    }

    /// Takes the next free slot, not before `now`: when the caller may send its request.
    public func reserve(at now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        nextSlot.withLock { next in
            let slot = max(next ?? now, now)
            next = slot + spacing
            return slot
        }
    }

    /// Waits for the next free slot. Throws `CancellationError` when the task is cancelled.
    public func wait() async throws {
        try await Task.sleep(until: reserve(), clock: .continuous)
    }
}
