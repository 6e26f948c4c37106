import CoinfluxCore
import Telemetry

/// The gap ledger's metrics of one exchange, created once.
struct GapMetrics: Sendable {
    let recovered: Counter
    let duplicates: Counter
    let queueFull: Counter
    private let gaps: [GapLabels: Counter]
    private let seconds: [MarketEvent.Kind: Counter]

    private struct GapLabels: Hashable {
        var channel: MarketEvent.Kind
        var cause: SeriesGap.Cause
        var repair: SeriesGap.Repair
    }

    init(metrics: Metrics, exchange: Exchange) {
        let name = exchange.rawValue
        recovered = metrics.counter(MetricCatalogue.backfillTrades, name, "recovered")
        duplicates = metrics.counter(MetricCatalogue.backfillTrades, name, "duplicate")
        queueFull = metrics.counter(MetricCatalogue.backfillTrades, name, "queue_full")
        var gaps: [GapLabels: Counter] = [:]
        var seconds: [MarketEvent.Kind: Counter] = [:]
        for channel in MarketEvent.Kind.allCases {
            seconds[channel] = metrics.counter(MetricCatalogue.gapSeconds, name, channel.rawValue)
            for cause in SeriesGap.Cause.allCases {
                for repair in SeriesGap.Repair.allCases {
                    gaps[GapLabels(channel: channel, cause: cause, repair: repair)] =
                        metrics.counter(MetricCatalogue.gaps, name, channel.rawValue, cause.rawValue, repair.rawValue)
                }
            }
        }
        self.gaps = gaps
        self.seconds = seconds
    }

    /// Counts one recorded gap and its length.
    func count(_ gap: SeriesGap) {
        gaps[GapLabels(channel: gap.channel, cause: gap.cause, repair: gap.repair)]?.increment()
        seconds[gap.channel]?.increment(by: max(0, gap.seconds))
    }
}
