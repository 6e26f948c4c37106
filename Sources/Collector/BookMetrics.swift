import CoinfluxCore
import Exchanges
import Telemetry

/// The order-book metrics of one exchange.
struct BookMetrics: Sendable {
    let applied: Counter
    let buffered: Counter
    let ignored: Counter
    let published: Counter
    let snapshotsFetched: Counter
    let snapshotsFailed: Counter
    let parseErrors: Counter
    let exchangeErrors: Counter
    private let resyncs: [BookResyncReason: Counter]
    private let inSync: Gauge
    private let outOfSync: Gauge
    private let markets: Int

    /// - Parameter markets: how many books the exchange keeps.
    init(metrics: Metrics, exchange: Exchange, markets: Int) {
        let name = exchange.rawValue
        applied = metrics.counter(MetricCatalogue.orderbookUpdates, name, "applied")
        buffered = metrics.counter(MetricCatalogue.orderbookUpdates, name, "buffered")
        ignored = metrics.counter(MetricCatalogue.orderbookUpdates, name, "ignored")
        published = metrics.counter(MetricCatalogue.orderbookUpdates, name, "published")
        snapshotsFetched = metrics.counter(MetricCatalogue.orderbookSnapshots, name, "ok")
        snapshotsFailed = metrics.counter(MetricCatalogue.orderbookSnapshots, name, "failed")
        parseErrors = metrics.counter(MetricCatalogue.feedParseErrors, name)
        exchangeErrors = metrics.counter(MetricCatalogue.feedExchangeErrors, name)
        var resyncs: [BookResyncReason: Counter] = [:]
        for reason in BookResyncReason.allCases {
            resyncs[reason] = metrics.counter(MetricCatalogue.orderbookResyncs, name, reason.rawValue)
        }
        self.resyncs = resyncs
        inSync = metrics.gauge(MetricCatalogue.orderbooks, name, "in_sync")
        outOfSync = metrics.gauge(MetricCatalogue.orderbooks, name, "out_of_sync")
        self.markets = markets
        setSynchronized(0)
    }

    func countResync(_ reason: BookResyncReason) {
        resyncs[reason]?.increment()
    }

    /// Counts one message by what its book made of it (a resync is counted by its reason).
    func count(_ outcome: BookSynchronizer.Outcome) {
        switch outcome {
        case .updated: applied.increment()
        case .buffered: buffered.increment()
        case .ignored: ignored.increment()
        case .resynchronize: break
        }
    }

    /// How many of the exchange's books are in sync now.
    func setSynchronized(_ count: Int) {
        inSync.set(Double(count))
        outOfSync.set(Double(markets - count))
    }
}
