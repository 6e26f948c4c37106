import CoinfluxCore
import Exchanges
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// Repairs the gaps one exchange's feed finds, one at a time: recovers a trade gap's trades from
/// the exchange's REST history (``TradeBackfill``), hands them to the sink marked as backfilled,
/// then hands on the gap record saying how complete the repair is. Ticker gaps, and trade gaps of
/// an exchange without usable history, are recorded unrepaired.
///
/// Gaps wait in a bounded queue; one that does not fit is recorded at once, unrepaired, and
/// counted. At graceful shutdown the gaps still waiting are recorded unrepaired too, so the
/// ledger misses none.
public final class GapRepair: Service {
    /// Fetches one page of a symbol's recent trades (within the exchange's REST budget).
    public typealias PageFetcher = @Sendable (Symbol, TradePage) async throws -> TradeHistoryPage

    /// Gaps that can wait for repair; beyond it they are recorded unrepaired.
    static let queueCapacity = 1_024
    /// Most pages one gap may cost.
    static let maximumPages = 40

    public let exchange: Exchange
    private let tracker: SeriesTracker
    private let backfill: TradeBackfill?
    private let fetch: PageFetcher?
    private let sink: any MarketEventSink
    private let metrics: GapMetrics
    private let logger: Logger
    private let gaps: AsyncStream<SeriesTracker.ClosedGap>
    private let input: AsyncStream<SeriesTracker.ClosedGap>.Continuation

    /// - Parameters:
    ///   - history: how the exchange serves recent trades, and `fetch` the pages; nil: no repair.
    public init(exchange: Exchange, tracker: SeriesTracker, history: TradeHistoryAPI?, fetch: PageFetcher?,
                sink: any MarketEventSink, metrics: Metrics, logger: Logger) {
        self.exchange = exchange
        self.tracker = tracker
        backfill = history.map { TradeBackfill(api: $0, maximumPages: Self.maximumPages) }
        self.fetch = fetch
        self.sink = sink
        self.metrics = GapMetrics(metrics: metrics, exchange: exchange)
        self.logger = logger
        (gaps, input) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(Self.queueCapacity))
    }

    /// Queues closed gaps for repair; never blocks.
    public func submit(_ closed: [SeriesTracker.ClosedGap]) {
        for gap in closed {
            if case .dropped(let refused) = input.yield(gap) {
                metrics.queueFull.increment()
                record(refused.gap)
            }
        }
    }

    public func run() async {
        // At graceful shutdown no new gap comes in; a repair under way stops at its next page and
        // what is still waiting is recorded unrepaired.
        await withGracefulShutdownHandler {
            for await closed in gaps {
                if stopping.value.load(ordering: .relaxed) {
                    record(closed.gap)
                } else {
                    await repair(closed)
                }
            }
        } onGracefulShutdown: {
            self.stopping.value.store(true, ordering: .relaxed)
            self.input.finish()
        }
    }

    /// Set at graceful shutdown.
    private let stopping = Flag()

    /// Repairs one gap and records it.
    func repair(_ closed: SeriesTracker.ClosedGap) async {
        var gap = closed.gap
        guard gap.channel == .trade, let backfill, let fetch else {
            record(gap)
            return
        }
        let symbol = gap.symbol
        let (tracker, stopping) = (self.tracker, self.stopping)
        let outcome = await backfill.recover(closed, fetch: { page in
            guard !stopping.value.load(ordering: .relaxed), !Task.isCancelled else { throw CancellationError() }
            return try await fetch(symbol, page)
        }, isNew: { tracker.isNew($0) })
        if !outcome.trades.isEmpty {
            sink.publish(outcome.trades)
        }
        metrics.recovered.increment(by: Int64(outcome.trades.count))
        metrics.duplicates.increment(by: Int64(outcome.duplicates))
        gap.recovered = outcome.trades.count
        gap.unrecovered = outcome.unrecovered
        gap.repair = outcome.repair
        if outcome.failed {
            logger.warning("backfill stopped on a failed REST request; the gap stays partly repaired or unrepaired", metadata: [
                "symbol": "\(symbol)", "recovered": "\(outcome.trades.count)",
            ])
        }
        record(gap)
    }

    /// Hands on the gap record and counts it.
    private func record(_ gap: SeriesGap) {
        sink.publish(gap)
        metrics.count(gap)
        if gap.repair != .yes, gap.channel == .trade {
            logger.notice("trade gap left incomplete", metadata: [
                "symbol": "\(gap.symbol)", "cause": "\(gap.cause.rawValue)", "seconds": "\(gap.seconds)",
                "recovered": "\(gap.recovered)", "repair": "\(gap.repair.rawValue)",
            ])
        }
    }
}

/// A flag set once, read without waiting.
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
