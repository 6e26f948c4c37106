import CoinfluxCore
import Synchronization
import Telemetry

/// The bounded in-process queue between the feeds and the processor in `coinflux run` without
/// Kafka: market events and gap records, in order. Offering never blocks: records beyond the
/// capacity are refused and counted (`coinflux_producer_messages_total{topic="in-process",outcome="dropped"}`).
public final class EventQueue: MarketEventSink {
    /// The topic label of the queue's metrics and dead letters.
    public static let topic = "in-process"

    /// Most events held.
    public let capacity: Int
    private let records = Mutex<[MarketRecord]>([])
    private let queued: Counter?
    private let dropped: Counter?

    /// - Parameter metrics: where queued and dropped events are counted; nil counts nothing.
    public init(capacity: Int, metrics: Metrics? = nil) {
        self.capacity = max(1, capacity)
        queued = metrics?.counter(MetricCatalogue.producerMessages, Self.topic, "queued")
        dropped = metrics?.counter(MetricCatalogue.producerMessages, Self.topic, "dropped")
    }

    /// Appends as many of `offered` as fit and counts the rest as dropped.
    @discardableResult
    public func publish(_ offered: [MarketEvent]) -> [Int] {
        let refused = offer(offered.map(MarketRecord.event))
        count(refused: refused, of: offered.count)
        return Array((offered.count - refused)..<offered.count)
    }

    /// Appends a gap record, if it fits.
    public func publish(_ gap: SeriesGap) {
        count(refused: offer([.gap(gap)]), of: 1)
    }

    private func count(refused: Int, of offered: Int) {
        queued?.increment(by: Int64(offered - refused))
        if refused > 0 { dropped?.increment(by: Int64(refused)) }
    }

    /// Appends as many of `offered` as fit.
    /// - Returns: How many did not fit (dropped).
    func offer(_ offered: [MarketRecord]) -> Int {
        records.withLock { records in
            let room = max(0, capacity - records.count)
            records.append(contentsOf: offered.prefix(room))
            return max(0, offered.count - room)
        }
    }

    /// Takes up to `maximum` records, oldest first; waits (checking every 10 ms) up to `timeout`
    /// for the first. An empty result means nothing arrived in time.
    func take(maximum: Int, timeout: Duration) async -> [MarketRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let taken = records.withLock { records -> [MarketRecord] in
                let count = min(maximum, records.count)
                defer { records.removeFirst(count) }
                return Array(records.prefix(count))
            }
            if !taken.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return taken }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Records waiting.
    public var count: Int { records.withLock { $0.count } }
}
