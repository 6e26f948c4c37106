import CoinfluxCore
import Synchronization
import Telemetry

/// The bounded in-process queue between the feeds and the processor in `coinflux run` without
/// Kafka. Offering never blocks: events beyond the capacity are refused and counted
/// (`coinflux_producer_messages_total{topic="in-process",outcome="dropped"}`).
public final class EventQueue: MarketEventSink {
    /// The topic label of the queue's metrics and dead letters.
    public static let topic = "in-process"

    /// Most events held.
    public let capacity: Int
    private let events = Mutex<[MarketEvent]>([])
    private let queued: Counter?
    private let dropped: Counter?

    /// - Parameter metrics: where queued and dropped events are counted; nil counts nothing.
    public init(capacity: Int, metrics: Metrics? = nil) {
        self.capacity = max(1, capacity)
        queued = metrics?.counter(MetricCatalogue.producerMessages, Self.topic, "queued")
        dropped = metrics?.counter(MetricCatalogue.producerMessages, Self.topic, "dropped")
    }

    /// Appends as many of `offered` as fit and counts the rest as dropped.
    public func publish(_ offered: [MarketEvent]) {
        let refused = offer(offered)
        queued?.increment(by: Int64(offered.count - refused))
        if refused > 0 { dropped?.increment(by: Int64(refused)) }
    }

    /// Appends as many of `offered` as fit.
    /// - Returns: How many did not fit (dropped).
    func offer(_ offered: [MarketEvent]) -> Int {
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
