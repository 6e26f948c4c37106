import CoinfluxCore
import Synchronization

/// The bounded in-process queue between the feeds and the processor in `coinflux run` without
/// Kafka. Offering never blocks: events beyond the capacity are refused and the caller counts them.
public final class EventQueue: Sendable {
    /// Most events held.
    public let capacity: Int
    private let events = Mutex<[MarketEvent]>([])

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends as many of `offered` as fit.
    /// - Returns: How many did not fit (dropped).
    public func offer(_ offered: [MarketEvent]) -> Int {
        events.withLock { events in
            let room = max(0, capacity - events.count)
            events.append(contentsOf: offered.prefix(room))
            return max(0, offered.count - room)
        }
    }

    /// Takes up to `maximum` events, oldest first; waits (checking every 10 ms) up to `timeout`
    /// for the first. An empty result means nothing arrived in time.
    func take(maximum: Int, timeout: Duration) async -> [MarketEvent] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let taken = events.withLock { events -> [MarketEvent] in
                let count = min(maximum, events.count)
                defer { events.removeFirst(count) }
                return Array(events.prefix(count))
            }
            if !taken.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return taken }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Events waiting.
    public var count: Int { events.withLock { $0.count } }
}
