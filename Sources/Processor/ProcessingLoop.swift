import CoinfluxCore
import Logging
import ProcessorCore

/// The processor's consuming loop over an ``EventSource``: polls in batches, derives points into a
/// ``PointBatch``, writes a full (or old enough) batch in a task of its own while it fills the
/// next, and commits what the writer acknowledged, at most once per `commitInterval`.
///
/// Everything it tracks is its own value (partition states, the batch, the ``CommitLedger``); the
/// write and the commit in flight hand their results back when the loop settles them, so no state
/// is shared with another task. The next poll runs while the previous batch is derived (two stages
/// on two threads); the assignment changes a poll reports apply before its messages and before the
/// next poll starts.
///
/// Back-pressure: when the next batch is full before the write finished, the loop waits for that
/// write (a second at a time) rather than poll more; while the writer reports failures, or a write
/// has held a full batch up for more than five seconds, the source is paused.
struct ProcessingLoop {
    let source: any EventSource
    let settings: ProcessorSettings
    let delivery: BatchDelivery
    let metrics: ProcessorMetrics
    let logger: Logger

    private(set) var partitions: [Int: PartitionState] = [:]
    var batch = PointBatch()
    var write: InFlight<Coverage?>?
    var commit: InFlight<CommitOutcome>?
    var ledger: CommitLedger
    /// The next poll, started before the messages of the previous one are derived.
    var prefetch: InFlight<Result<SourceBatch, any Error>>?
    private(set) var isPaused = false
    private var exchangeRates: ExchangeRates?
    /// Partitions whose lag gauge was last set above zero, to zero them when they go.
    private var laggingPartitions: Set<Int> = []

    /// The result of a commit in flight: what it covered, and the error if it failed.
    struct CommitOutcome: Sendable {
        var coverage: Coverage
        var error: (any Error)?
    }

    init(source: any EventSource, settings: ProcessorSettings, delivery: BatchDelivery, metrics: ProcessorMetrics, logger: Logger) {
        self.source = source
        self.settings = settings
        self.delivery = delivery
        self.metrics = metrics
        self.logger = logger
        ledger = CommitLedger(interval: settings.commitInterval, start: .now)
    }

    /// What the write and the commit in flight cover (empty when there is none).
    var writing = Coverage()
    var committing = Coverage()

    /// Messages consumed whose points are not yet all acknowledged and committed.
    var uncommittedMessages: Int {
        batch.messages + writing.messages + ledger.pendingMessages + committing.messages
    }

    // MARK: One step

    /// One poll: settle the write and commit in flight, pause or resume, apply the poll's changes,
    /// derive its messages, maybe start a write and a commit.
    mutating func step() async throws {
        // The next batch is full: wait for the write rather than poll more, a second at a time.
        await settleWrite(waitingUntil: batch.lineCount >= settings.batchPoints ? .now + .seconds(1) : nil)
        await settleCommit()
        try updatePause()
        let polled = try await (prefetch ?? startPoll()).value().get()
        apply(polled.changes)
        prefetch = startPoll()
        if let rates = polled.exchangeRates { apply(rates) }
        derive(polled.messages)
        let now = ContinuousClock.now
        if write == nil, shouldFlush(at: now) { startWrite() }
        startCommitIfDue(at: now)
        reportProgress()
    }

    private func startPoll() -> InFlight<Result<SourceBatch, any Error>> {
        let (source, maximum) = (source, settings.pollMessages)
        return InFlight {
            do {
                return .success(try await source.poll(maximum: maximum, timeout: .milliseconds(50)))
            } catch {
                return .failure(error)
            }
        }
    }

    private func shouldFlush(at now: ContinuousClock.Instant) -> Bool {
        guard !batch.isEmpty else { return false }
        if batch.lineCount >= settings.batchPoints { return true }
        guard let opened = batch.openedAt else { return false }
        return opened.duration(to: now) >= settings.flushInterval
    }

    // MARK: Assignment and exchange rate

    mutating func apply(_ changes: [PartitionChange]) {
        for change in changes {
            switch change {
            case .assigned(let partition, let warmupEnd):
                var state = PartitionState(settings: settings.derivation, warmupEnd: warmupEnd)
                if let exchangeRates { state.updateExchangeRates(exchangeRates) }
                partitions[partition] = state
                if let warmupEnd {
                    logger.info("warming up partition", metadata: ["partition": "\(partition)", "until_offset": "\(warmupEnd)"])
                }
            case .revoked(let revoked):
                for partition in revoked {
                    if let state = partitions.removeValue(forKey: partition) { metrics.forget(state.deriver.markets) }
                }
                batch.dropCoverage(of: revoked)
                ledger.drop(partitions: revoked)
            }
        }
    }

    private mutating func apply(_ rates: ExchangeRates) {
        exchangeRates = rates
        for partition in partitions.keys {
            partitions[partition]?.updateExchangeRates(rates)
        }
    }

    // MARK: Deriving

    /// Derives the points of `messages`, a partition's run of messages at a time (sources hand
    /// them out in runs), its state taken out of the table for the run.
    mutating func derive(_ messages: [SourceMessage]) {
        guard !messages.isEmpty else { return }
        metrics.consumed(messages.count, topic: source.topic)
        metrics.batchMessages.record(Double(messages.count))
        var counts = DerivationCounts()
        let now = ContinuousClock.now
        var warmupsEnded = 0
        var start = messages.startIndex
        while start < messages.endIndex {
            let partition = messages[start].position.partition
            var end = start + 1
            while end < messages.endIndex, messages[end].position.partition == partition { end += 1 }
            var state = partitions.removeValue(forKey: partition) ?? PartitionState(settings: settings.derivation, warmupEnd: nil)
            for message in messages[start..<end] {
                switch state.take(message, into: &batch, counts: &counts, topic: source.topic, now: now) {
                case .warmedUp:
                    metrics.warmupMessages.increment()
                    // The last status a warm-up re-reads is the latest known: the gauge starts from it.
                    if case .success(.status(let status)) = message.record { metrics.watch(status) }
                    if let end = state.warmupEnd, message.position.offset + 1 >= end { warmupsEnded += 1 }
                case .derived:
                    switch message.record {
                    case .success(.event(let event)) where event.kind == .ticker:
                        if settings.watchlist.contains(event.symbol) { metrics.watch(event, deriver: state.deriver) }
                        if event.symbol == .krwPerUSDT { metrics.watchTetherPremium(event, deriver: state.deriver) }
                    case .success(.book(let book)) where settings.watchlist.contains(book.symbol):
                        metrics.watch(book, deriver: state.deriver)
                    case .success(.status(let status)):
                        metrics.watch(status)
                    default:
                        break
                    }
                case .deadLettered, .skipped:
                    break
                }
            }
            partitions[partition] = state
            start = end
        }
        // The re-read is over: what it used goes back to the system instead of staying resident.
        if warmupsEnded > 0 { AllocatorTrim.releaseFreeMemory() }
        metrics.record(counts)
        metrics.trackedSymbols.set(Double(partitions.values.reduce(0) { $0 + $1.deriver.seriesCount }))
    }

    // MARK: Writing and committing

    /// Starts writing the batch being filled; its coverage comes back once it is delivered.
    mutating func startWrite() {
        let (delivery, full) = (delivery, batch)
        batch = PointBatch()
        writing = full.coverage
        write = InFlight {
            do {
                try await delivery.deliver(full)
                return full.coverage
            } catch {
                return nil  // cancelled: the messages stay uncommitted and are read again
            }
        }
    }

    /// Takes the result of a finished write, waiting for an unfinished one until `deadline` (not
    /// at all without one): its coverage is acknowledged for the partitions still owned.
    /// - Returns: Whether no write is in flight any more.
    @discardableResult
    mutating func settleWrite(waitingUntil deadline: ContinuousClock.Instant?) async -> Bool {
        guard let running = write else { return true }
        let settled: Coverage??
        if running.isFinished {
            settled = await running.value()
        } else if let deadline {
            settled = await running.value(before: deadline)
        } else {
            settled = nil
        }
        guard let settled else { return false }
        write = nil
        writing = Coverage()
        guard var acknowledged = settled else { return true }  // cancelled: read again later
        acknowledged.keep(only: Set(partitions.keys))
        if source.isDurable {
            ledger.acknowledge(acknowledged)
        }
        return true
    }

    /// Starts a commit of what is due (or everything, when `force`d), unless one is in flight.
    mutating func startCommitIfDue(at now: ContinuousClock.Instant, force: Bool = false) {
        guard commit == nil, let due = ledger.takeDue(at: now, force: force) else { return }
        let source = self.source
        committing = due
        commit = InFlight {
            do {
                try await source.commit(due)
                return CommitOutcome(coverage: due)
            } catch {
                return CommitOutcome(coverage: due, error: error)
            }
        }
    }

    /// Takes the outcome of a finished commit: counted, and a failed one gives its coverage back
    /// (for the partitions still owned), so the next commit carries it.
    private mutating func settleCommit() async {
        guard let running = commit, running.isFinished else { return }
        settle(await running.value())
    }

    /// Counts a commit's outcome; a failed one gives its coverage back.
    mutating func settle(_ outcome: CommitOutcome?) {
        commit = nil
        committing = Coverage()
        guard let outcome else { return }
        guard let error = outcome.error else {
            metrics.commitsOK.increment()
            return
        }
        metrics.commitsFailed.increment()
        var coverage = outcome.coverage
        coverage.keep(only: Set(partitions.keys))
        ledger.acknowledge(coverage)
        logger.warning("commit failed; retried with the next one", metadata: ["error": "\(error)", "offsets": "\(outcome.coverage.nextOffsets)"])
    }

    // MARK: Pausing and reporting

    /// Pauses the source while the writer is failing, or while a write has kept the next (full)
    /// batch waiting for more than five seconds; resumes it afterwards. Pausing drops what the
    /// source prefetched, so it is kept for real stalls: a write in progress alone only stops
    /// the loop from polling more.
    private mutating func updatePause() throws {
        let health = delivery.writer.health
        let stalled = write.map { $0.startedAt.duration(to: .now) > .seconds(5) } ?? false && batch.lineCount >= settings.batchPoints
        let shouldPause = stalled || health.isFailing
        guard shouldPause != isPaused else { return }
        try source.setPaused(shouldPause)
        isPaused = shouldPause
        metrics.paused.set(shouldPause ? 1.0 : 0.0)
        if shouldPause {
            logger.info("pausing intake", metadata: ["reason": "\(stalled ? "previous write still running" : health.reason)"])
        } else {
            logger.info("resuming intake")
        }
    }

    /// Sets the uncommitted-messages gauge and, per owned partition, the age of its oldest
    /// uncommitted message.
    private mutating func reportProgress() {
        metrics.uncommitted.set(Double(uncommittedMessages))
        guard source.isDurable else {
            metrics.noteStatus(lagSeconds: 0, paused: isPaused)
            return
        }
        var oldest = batch.coverage.oldestTimes
        for coverage in [writing, ledger.pending, committing] {
            oldest.merge(coverage.oldestTimes) { min($0, $1) }
        }
        let wallNow = wallClockNanoseconds()
        var lagging: Set<Int> = []
        var worst = 0.0
        defer { metrics.noteStatus(lagSeconds: worst, paused: isPaused) }
        for partition in partitions.keys {
            let seconds = oldest[partition].map { Double(wallNow - $0) / 1e9 } ?? 0
            worst = max(worst, seconds)
            if seconds > 0 || laggingPartitions.contains(partition) {
                metrics.consumerLag(topic: source.topic, partition: partition, seconds: seconds)
            }
            if seconds > 0 { lagging.insert(partition) }
        }
        for gone in laggingPartitions.subtracting(partitions.keys) {
            metrics.consumerLag(topic: source.topic, partition: gone, seconds: 0)
        }
        laggingPartitions = lagging
    }
}
