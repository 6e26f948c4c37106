import CoinfluxCore
import Foundation
import InfluxWriter
import ProcessorCore
import Synchronization
import Telemetry

/// The processor's metrics, created once; also the InfluxDB writer's metric hooks.
public final class ProcessorMetrics: InfluxWriterMetrics {
    let metrics: Metrics
    let batchMessages: Histogram
    let uncommitted: Gauge
    let commitsOK: Counter
    let commitsFailed: Counter
    let paused: Gauge
    let trackedSymbols: Gauge
    let warmupMessages: Counter
    private let deadLetteredUndecodable: Counter
    private let deadLetteredRejected: Counter
    private let points: [Counter]  // ticker, trade, premium, candle_1m, gap, orderbook, premium_executable, market_status
    private let rejectedEvents: [Counter]  // invalid_price, out_of_order, late_trade, duplicate_trade, unencodable
    private let candleRevisions: Counter
    private let eventLag: [Exchange: Histogram]
    private let requestDuration: Histogram
    private let pointsWritten: Counter
    private let pointsRejected: Counter
    private let influxUp: Gauge
    private let consumed: LabelledFamily<Counter>
    private let requests: LabelledFamily<Counter>
    private let retries: LabelledFamily<Counter>
    private let lag: LabelledFamily<Gauge>
    private let lagSeconds: LabelledFamily<Gauge>
    private let marketPrice: LabelledFamily<Gauge>
    private let marketDeviation: LabelledFamily<Gauge>
    private let marketPremium: LabelledFamily<Gauge>
    private let marketTetherPremium: LabelledFamily<Gauge>
    private let marketPremiumExecutable: LabelledFamily<Gauge>
    private let marketStatusFlagged: LabelledFamily<Gauge>
    /// Points acknowledged, for the status line.
    let writtenForStatus = RateCounter()
    /// The worst partition's lag in seconds and whether intake is paused, for the status line.
    private let statusState = Mutex((lagSeconds: 0.0, paused: false))

    /// - Parameters:
    ///   - ticksTopic: The topic whose partitions' lag is reported.
    ///   - processGauges: where the gauges of the process's one main pipeline go (uncommitted
    ///     messages, paused, tracked symbols): `metrics` unless this is a second pipeline (the
    ///     order books'), whose values would overwrite the main one's.
    public init(metrics: Metrics, ticksTopic: String, processGauges: Metrics? = nil) {
        self.metrics = metrics
        let processGauges = processGauges ?? metrics
        batchMessages = metrics.histogram(MetricCatalogue.consumerBatchMessages, buckets: [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000])
        uncommitted = processGauges.gauge(MetricCatalogue.processorUncommitted)
        commitsOK = metrics.counter(MetricCatalogue.consumerCommits, "ok")
        commitsFailed = metrics.counter(MetricCatalogue.consumerCommits, "failed")
        paused = processGauges.gauge(MetricCatalogue.processorPaused)
        trackedSymbols = processGauges.gauge(MetricCatalogue.processorTrackedSymbols)
        warmupMessages = metrics.counter(MetricCatalogue.processorWarmupMessages)
        deadLetteredUndecodable = metrics.counter(MetricCatalogue.deadLetters, "undecodable")
        deadLetteredRejected = metrics.counter(MetricCatalogue.deadLetters, "rejected_by_influxdb")
        points = ["ticker", "trade", "premium", "candle_1m", "gap", "orderbook", "premium_executable", "market_status"].map { metrics.counter(MetricCatalogue.processorPoints, $0) }
        rejectedEvents = ["invalid_price", "out_of_order", "late_trade", "duplicate_trade", "unencodable"].map {
            metrics.counter(MetricCatalogue.processorRejectedEvents, $0)
        }
        candleRevisions = metrics.counter(MetricCatalogue.processorCandleRevisions)
        var eventLag: [Exchange: Histogram] = [:]
        for exchange in Exchange.allCases {
            eventLag[exchange] = metrics.histogram(MetricCatalogue.processorEventLag, exchange.rawValue)
        }
        self.eventLag = eventLag
        requestDuration = metrics.histogram(MetricCatalogue.influxRequestDuration)
        pointsWritten = metrics.counter(MetricCatalogue.influxPointsWritten)
        pointsRejected = metrics.counter(MetricCatalogue.influxPointsRejected)
        influxUp = metrics.gauge(MetricCatalogue.influxUp)
        influxUp.set(1.0)
        consumed = LabelledFamily { metrics.counter(MetricCatalogue.consumerMessages, labels: $0) }
        requests = LabelledFamily { metrics.counter(MetricCatalogue.influxRequests, labels: $0) }
        retries = LabelledFamily { metrics.counter(MetricCatalogue.influxRetries, labels: $0) }
        lag = LabelledFamily { metrics.gauge(MetricCatalogue.consumerLag, labels: [ticksTopic] + $0) }
        lagSeconds = LabelledFamily { metrics.gauge(MetricCatalogue.consumerLagSeconds, labels: $0) }
        marketPrice = LabelledFamily({ metrics.gauge(MetricCatalogue.marketPrice, labels: $0) }, unregister: metrics.remove)
        marketDeviation = LabelledFamily({ metrics.gauge(MetricCatalogue.marketDeviation, labels: $0) }, unregister: metrics.remove)
        marketPremium = LabelledFamily({ metrics.gauge(MetricCatalogue.marketPremium, labels: $0) }, unregister: metrics.remove)
        marketTetherPremium = LabelledFamily({ metrics.gauge(MetricCatalogue.marketTetherPremium, labels: $0) }, unregister: metrics.remove)
        marketPremiumExecutable = LabelledFamily({ metrics.gauge(MetricCatalogue.marketPremiumExecutable, labels: $0) }, unregister: metrics.remove)
        marketStatusFlagged = LabelledFamily({ metrics.gauge(MetricCatalogue.marketStatusFlagged, labels: $0) }, unregister: metrics.remove)
    }

    /// Counts what derivation produced.
    func record(_ counts: DerivationCounts) {
        for (counter, value) in zip(points, [counts.tickers, counts.trades, counts.premiums, counts.candles, counts.gaps, counts.orderbooks, counts.executablePremiums, counts.marketStatuses]) where value > 0 {
            counter.increment(by: Int64(value))
        }
        let rejected = [counts.invalidPrices, counts.outOfOrder, counts.lateTrades, counts.duplicateTrades, counts.unencodable]
        for (counter, value) in zip(rejectedEvents, rejected) where value > 0 {
            counter.increment(by: Int64(value))
        }
        if counts.revisedCandles > 0 { candleRevisions.increment(by: Int64(counts.revisedCandles)) }
    }

    /// Counts one dead letter sent.
    func deadLettered(_ kind: DeadLetter.Kind) {
        switch kind {
        case .undecodable: deadLetteredUndecodable.increment()
        case .rejectedByInfluxDB: deadLetteredRejected.increment()
        }
    }

    /// Counts consumed messages of `topic`.
    func consumed(_ count: Int, topic: String) {
        consumed[[topic]].increment(by: Int64(count))
    }

    /// Records end-to-end lag (acknowledgement time − event time) for events of `exchange`.
    func eventLag(_ exchange: Exchange, seconds: Double) {
        eventLag[exchange]?.record(max(0, seconds))
    }

    /// Sets the consumer lag gauge of one partition of the ticks topic.
    public func consumerLag(partition: Int, messages: Int) {
        lag[[String(partition)]].set(Double(messages))
    }

    /// Sets the age of the oldest uncommitted message of one partition of `topic`.
    func consumerLag(topic: String, partition: Int, seconds: Double) {
        lagSeconds[[topic, String(partition)]].set(max(0, seconds))
    }

    /// Updates the watchlist gauges after a ticker of a watched symbol was applied.
    func watch(_ event: MarketEvent, deriver: PointDeriver) {
        guard let statistics = deriver.statistics(exchange: event.exchange, symbol: event.symbol),
              let price = statistics.lastPrice, let deviation = statistics.deviation
        else { return }
        let labels = [event.exchange.rawValue, event.symbol.description]
        marketPrice[labels].set(price)
        marketDeviation[labels].set(deviation)
        if event.symbol.quote == "KRW",
           let premium = deriver.premium(base: event.symbol.base, krwPrice: price, eventTimeNanos: statistics.lastEventTimeNanos) {
            marketPremium[[event.exchange.rawValue, event.symbol.base]].set(premium)
        }
    }

    /// Updates the tether-premium gauge after a `USDT-KRW` ticker was applied: set while an FX
    /// rate is fresh, removed otherwise (no rate read lately: no figure to alert on).
    func watchTetherPremium(_ event: MarketEvent, deriver: PointDeriver) {
        guard let statistics = deriver.statistics(exchange: event.exchange, symbol: event.symbol), let price = statistics.lastPrice else { return }
        if let premium = deriver.tetherPremium(krwPerUSDT: price, eventTimeNanos: statistics.lastEventTimeNanos) {
            marketTetherPremium[[event.exchange.rawValue]].set(premium)
        } else {
            marketTetherPremium.remove([event.exchange.rawValue])
        }
    }

    /// Updates the executable-premium gauges after a book of a watched KRW market was applied.
    func watch(_ book: BookUpdate, deriver: PointDeriver) {
        guard let premium = deriver.executablePremium(exchange: book.exchange, symbol: book.symbol) else { return }
        for (direction, value) in [("buy", premium.buyInKorea.premium), ("sell", premium.sellInKorea.premium)] {
            if let value { marketPremiumExecutable[[book.exchange.rawValue, book.symbol.base, direction]].set(value) }
        }
    }

    /// Sets the flagged gauge of a KRW market from its status record (other quotes have none:
    /// the premium alerts it serves are about KRW markets).
    func watch(_ status: MarketStatus) {
        guard status.symbol.quote == "KRW" else { return }
        marketStatusFlagged[[status.exchange.rawValue, status.symbol.base]].set(status.flags.isFlagged ? 1 : 0)
    }

    /// Removes the market gauges of the markets a revoked partition held: the new owner sets them
    /// from now on, and a value left here would go on feeding the market alerts (which take the
    /// maximum over replicas) after the market moved on. A book market loses its executable-premium
    /// gauges, the others their price, deviation, premium, flagged and tether-premium gauges.
    func forget(_ markets: [(exchange: Exchange, symbol: Symbol, hasBook: Bool)]) {
        for market in markets {
            let exchange = market.exchange.rawValue, base = market.symbol.base
            if market.hasBook {
                for direction in ["buy", "sell"] { marketPremiumExecutable.remove([exchange, base, direction]) }
                continue
            }
            marketPrice.remove([exchange, market.symbol.description])
            marketDeviation.remove([exchange, market.symbol.description])
            if market.symbol.quote == "KRW" {
                marketPremium.remove([exchange, base])
                marketStatusFlagged.remove([exchange, base])
            }
            if market.symbol == .krwPerUSDT { marketTetherPremium.remove([exchange]) }
        }
    }

    // MARK: InfluxWriterMetrics

    public func requestFinished(_ report: RequestReport) {
        requests[[report.result.label]].increment()
        let (seconds, attoseconds) = report.duration.components
        requestDuration.record(Double(seconds) + Double(attoseconds) * 1e-18)
    }

    public func retryScheduled(after delay: Duration, health: WriterHealth) {
        retries[[health.name]].increment()
    }

    public func linesWritten(_ count: Int) {
        pointsWritten.increment(by: Int64(count))
        writtenForStatus.add(count)
    }

    /// Notes the worst partition lag and the pause state the loop reported last.
    func noteStatus(lagSeconds: Double, paused: Bool) {
        statusState.withLock { $0 = (lagSeconds, paused) }
    }

    /// The processor's part of the status line: `1 234.5 points/s written, lag 0.8 s, running`.
    public func status(over interval: Duration) -> String {
        let (lag, paused) = statusState.withLock { $0 }
        return String(format: "%.1f points/s written, lag %.1f s, %@", writtenForStatus.rate(over: interval), lag,
                      paused ? "paused" : "running")
    }

    public func linesRejected(_ count: Int) {
        pointsRejected.increment(by: Int64(count))
    }

    public func healthChanged(to health: WriterHealth) {
        influxUp.set(health.isFailing ? 0.0 : 1.0)
    }
}

/// Metrics of one family whose label value is known only at run time (a topic, an HTTP status),
/// created on first use and kept.
private final class LabelledFamily<Metric: Sendable>: Sendable {
    private let make: @Sendable ([String]) -> Metric
    private let unregister: @Sendable (Metric) -> Void
    private let made = Mutex<[[String]: Metric]>([:])

    init(_ make: @escaping @Sendable ([String]) -> Metric, unregister: @escaping @Sendable (Metric) -> Void = { _ in }) {
        self.make = make
        self.unregister = unregister
    }

    /// Drops the metric of `label` from the family and the exposition, if it was made.
    func remove(_ label: [String]) {
        guard let metric = made.withLock({ $0.removeValue(forKey: label) }) else { return }
        unregister(metric)
    }

    subscript(label: [String]) -> Metric {
        made.withLock { made in
            if let metric = made[label] { return metric }
            let metric = make(label)
            made[label] = metric
            return metric
        }
    }
}
