import CoinfluxCore
import Exchanges
import Telemetry

/// The counters and latency histogram of one exchange, created once when a feed starts. Every feed
/// of the exchange gets the same metric objects from the registry, so its connections add up; the
/// connected and last-message gauges are the exchange's `ConnectionTally`.
struct FeedMetrics: Sendable {
    let tickerEvents: Counter
    let tradeEvents: Counter
    let dataFrames: Counter
    let acknowledgementFrames: Counter
    let pongFrames: Counter
    let errorFrames: Counter
    let ignoredFrames: Counter
    let parseErrors: Counter
    let exchangeErrors: Counter
    let connectSucceeded: Counter
    let connectFailed: Counter
    let eventLatency: Histogram
    let restPollOK: Counter
    let restPollError: Counter
    let restPollLimited: Counter
    private let reconnects: [FeedDisconnect.Reason: Counter]

    init(metrics: Metrics, exchange: Exchange) {
        let name = exchange.rawValue
        tickerEvents = metrics.counter(MetricCatalogue.feedEvents, name, "ticker")
        tradeEvents = metrics.counter(MetricCatalogue.feedEvents, name, "trade")
        dataFrames = metrics.counter(MetricCatalogue.feedFrames, name, "data")
        acknowledgementFrames = metrics.counter(MetricCatalogue.feedFrames, name, "ack")
        pongFrames = metrics.counter(MetricCatalogue.feedFrames, name, "pong")
        errorFrames = metrics.counter(MetricCatalogue.feedFrames, name, "error")
        ignoredFrames = metrics.counter(MetricCatalogue.feedFrames, name, "ignored")
        parseErrors = metrics.counter(MetricCatalogue.feedParseErrors, name)
        exchangeErrors = metrics.counter(MetricCatalogue.feedExchangeErrors, name)
        connectSucceeded = metrics.counter(MetricCatalogue.feedConnectAttempts, name, "connected")
        connectFailed = metrics.counter(MetricCatalogue.feedConnectAttempts, name, "failed")
        eventLatency = metrics.histogram(MetricCatalogue.feedEventLatency, name)
        restPollOK = metrics.counter(MetricCatalogue.feedRESTPolls, name, "ok")
        restPollError = metrics.counter(MetricCatalogue.feedRESTPolls, name, "error")
        restPollLimited = metrics.counter(MetricCatalogue.feedRESTPolls, name, "rate_limited")
        var reconnects: [FeedDisconnect.Reason: Counter] = [:]
        for reason in FeedDisconnect.Reason.allCases {
            reconnects[reason] = metrics.counter(MetricCatalogue.feedReconnects, name, reason.rawValue)
        }
        self.reconnects = reconnects
    }

    func countReconnect(_ reason: FeedDisconnect.Reason) {
        reconnects[reason]?.increment()
    }

    /// Counts a parsed frame by kind.
    func countFrame(_ kind: FrameKind) {
        switch kind {
        case .data: dataFrames.increment()
        case .acknowledgement: acknowledgementFrames.increment()
        case .pong: pongFrames.increment()
        case .exchangeError:
            errorFrames.increment()
            exchangeErrors.increment()
        case .ignored: ignoredFrames.increment()
        }
    }

    /// Counts events by channel and records their exchange-to-receive latency.
    func countEvents(_ events: [MarketEvent]) {
        for event in events {
            switch event.kind {
            case .ticker: tickerEvents.increment()
            case .trade: tradeEvents.increment()
            }
            let latency = Double(event.receiveTimeNanos - event.eventTimeNanos) / 1e9
            eventLatency.record(max(0, latency))
        }
    }
}
