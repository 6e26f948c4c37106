import CoinfluxCore
import InfluxWriter
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// `coinflux process`: a consumer-group member on the ticks topic that derives points, writes
/// them, and commits an offset only after every point of the messages up to it is acknowledged.
///
/// The loop polls in batches and derives points into a ``PointBatch``; a full (or old enough)
/// batch is written by a task of its own while the loop goes on filling the next one, and its
/// offsets are committed once acknowledged, at most once per `commitInterval`. When the
/// next batch is full before the write finished, or while the writer reports failures, the loop
/// pauses its partitions (librdkafka drops what it prefetched and stops fetching, so memory stays
/// bounded) and keeps polling only to stay in the group. Assigned partitions start
/// `warmupMessages` before their committed offset; those messages rebuild state without being
/// written again. Undecodable messages go to the dead letters and are committed like any other.
public final class KafkaProcessor: Service {
    private let settings: ProcessorSettings
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let delivery: BatchDelivery
    private let metrics: ProcessorMetrics
    private let readiness: Readiness
    private let logger: Logger

    /// - Parameters:
    ///   - consumerConfiguration: Bootstrap servers, group id and extra properties of the ticks
    ///     consumer (the FX reader uses them too, in a group of its own).
    ///   - writer: InfluxDB (or a file).
    ///   - deadLetters: Where undecodable messages and refused points go.
    public init(
        settings: ProcessorSettings,
        consumerConfiguration: KafkaConsumerConfiguration,
        writer: any PointWriter,
        deadLetters: any DeadLetterSink,
        metrics: ProcessorMetrics,
        readiness: Readiness,
        logger: Logger
    ) {
        self.settings = settings
        var configuration = consumerConfiguration
        configuration.isAutoCommitEnabled = false
        self.consumerConfiguration = configuration
        self.delivery = BatchDelivery(writer: writer, deadLetters: deadLetters, metrics: metrics, ticksTopic: settings.ticksTopic, logger: logger)
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
    }

    /// The ticks consumer's configuration: group `groupID`, 8 MiB of prefetched messages and
    /// fetch answers of at most 4 MiB (memory stays bounded, batch polls stay fed), caught-up
    /// partitions checked every `caughtUpPause`, then `properties` (librdkafka's own names),
    /// which override all of it.
    public static func consumerConfiguration(bootstrapServers: [String], groupID: String, caughtUpPause: Duration = .milliseconds(20),
                                             properties: [String: String] = [:]) -> KafkaConsumerConfiguration {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        consumer.caughtUpPause = caughtUpPause
        consumer.maximumQueuedKilobytes = 8_192
        consumer.additionalProperties = ["fetch.max.bytes": "4194304"].merging(properties) { $1 }
        return consumer
    }

    public func run() async throws {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        let follower = try ExchangeRateFollower(
            bootstrapServers: consumerConfiguration.bootstrapServers, groupPrefix: consumerConfiguration.groupID,
            topic: settings.fxTopic, caughtUpPause: consumerConfiguration.caughtUpPause,
            properties: consumerConfiguration.additionalProperties, logger: logger)
        let membership = Membership()
        try consumer.subscribe(topics: [settings.ticksTopic], rewind: settings.warmupMessages) { event in
            membership.record(event)
        }
        let writer = delivery.writer
        readiness.register("influxdb") { writer.notReadyReason }
        logger.info("processor started", metadata: [
            "topic": "\(settings.ticksTopic)", "group": "\(consumerConfiguration.groupID)",
            "warmup_messages": "\(settings.warmupMessages)", "batch_points": "\(settings.batchPoints)",
        ])

        let committer = Committer(consumer: consumer, membership: membership, ledger: CommitLedger(interval: settings.commitInterval),
                                  topic: settings.ticksTopic, metrics: metrics, logger: logger)
        var intake = Intake(processor: self, consumer: consumer, follower: follower, committer: committer)
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await follower.run() }
            group.addTask { await self.reportLag(consumer) }
            defer { group.cancelAll() }
            do {
                try await intake.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        await intake.drain()
        do {
            try await consumer.close()
        } catch {
            logger.warning("leaving the consumer group failed", metadata: ["error": "\(error)"])
        }
        logger.info("processor stopped")
        try outcome.get()
    }

    /// Sets the consumer-lag gauges every five seconds (high watermark − committed offset).
    private func reportLag(_ consumer: KafkaConsumer) async {
        var reported: Set<Int> = []
        while !Task.isCancelled {
            do {
                let lags = try await consumer.lag(timeout: .seconds(5))
                let owned = Set(lags.map(\.topicPartition.partition))
                for lag in lags {
                    metrics.consumerLag(partition: lag.topicPartition.partition, messages: lag.lag)
                }
                // Partitions given up: their new owner reports them.
                for partition in reported.subtracting(owned) {
                    metrics.consumerLag(partition: partition, messages: 0)
                }
                reported = owned
            } catch {
                logger.debug("consumer lag not available", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    /// The consuming loop's state: one deriver per owned partition, the batch being filled and
    /// the write (or commit) in flight.
    private struct Intake {
        let processor: KafkaProcessor
        let consumer: KafkaConsumer
        let follower: ExchangeRateFollower
        let committer: Committer
        var partitions: [Int: PartitionState] = [:]
        var batch = PointBatch()
        var inFlight: InFlightWrite?
        /// The next poll and the decoding of its messages, started before the messages of the
        /// previous one are derived: two stages on two threads.
        var prefetch: Task<[DecodedMessage], any Error>?
        var paused: Set<KafkaTopicPartition> = []
        var exchangeRateVersion = 0

        init(processor: KafkaProcessor, consumer: KafkaConsumer, follower: ExchangeRateFollower, committer: Committer) {
            self.processor = processor
            self.consumer = consumer
            self.follower = follower
            self.committer = committer
        }

        var membership: Membership { committer.membership }

        var settings: ProcessorSettings { processor.settings }
        var metrics: ProcessorMetrics { processor.metrics }

        /// Consumes until graceful shutdown begins (or the task is cancelled).
        mutating func run() async throws {
            let stopping = Atomic<Bool>(false)
            try await withGracefulShutdownHandler {
                while !stopping.load(ordering: .relaxed), !Task.isCancelled {
                    try await step()
                }
            } onGracefulShutdown: {
                stopping.store(true, ordering: .relaxed)
            }
        }

        /// One poll: settle a finished write, pause or resume, take rebalances, derive, maybe flush.
        private mutating func step() async throws {
            if let write = inFlight {
                // The next batch is full: wait for the write (its commit included) rather than
                // poll more. Up to a second at a time, so rebalances and shutdown are still seen.
                var finished = write.isFinished
                if !finished, batch.lineCount >= settings.batchPoints {
                    finished = await completes(within: .seconds(1)) { await write.task.value }
                }
                if finished {
                    await write.task.value
                    inFlight = nil
                }
            }
            try updatePause()
            let messages = try await (prefetch ?? startPoll()).value
            // Rebalances seen by that poll apply before its messages; the next poll starts only
            // now, so no assignment can change between the two.
            applyRebalances()
            prefetch = startPoll()
            applyExchangeRate()
            if !messages.isEmpty {
                metrics.consumed(messages.count, topic: settings.ticksTopic)
                metrics.batchMessages.record(Double(messages.count))
                derive(messages)
                metrics.trackedSymbols.set(Double(partitions.values.reduce(0) { $0 + $1.deriver.seriesCount }))
            }
            if inFlight == nil, shouldFlush() {
                inFlight = start(batch)
                batch = PointBatch()
            }
            if inFlight == nil, let due = committer.ledger.takeDue(at: .now) {
                // Nothing more was written for a while: commit what was acknowledged.
                inFlight = startCommit(due)
            }
            metrics.uncommitted.set(Double(batch.messages + (inFlight?.messages ?? 0) + committer.ledger.pendingMessages))
        }

        private func shouldFlush() -> Bool {
            guard !batch.isEmpty else { return false }
            if batch.lineCount >= settings.batchPoints { return true }
            guard let opened = batch.openedAt else { return false }
            return opened.duration(to: .now) >= settings.flushInterval
        }

        /// Pauses every owned partition while the writer is failing, or while a write has kept
        /// the next (full) batch waiting for more than five seconds; resumes them afterwards.
        /// Pausing drops what librdkafka prefetched and is fetched again on resume, so it is kept
        /// for real stalls: a write in progress alone only stops the loop from polling more.
        private mutating func updatePause() throws {
            let waiting = inFlight.map { $0.startedAt.duration(to: .now) > .seconds(5) } ?? false
                && batch.lineCount >= settings.batchPoints
            let shouldPause = waiting || processor.delivery.writer.health.isFailing
            if shouldPause {
                let fresh = Set(try consumer.assignment()).subtracting(paused)
                if !fresh.isEmpty {
                    try consumer.pause(Array(fresh))
                    if paused.isEmpty {
                        processor.logger.info("pausing intake", metadata: [
                            "reason": "\(waiting ? "previous write still running" : processor.delivery.writer.health.reason)"])
                    }
                    paused.formUnion(fresh)
                }
            } else if !paused.isEmpty {
                let owned = paused.intersection(try consumer.assignment())
                if !owned.isEmpty { try consumer.resume(Array(owned)) }
                paused = []
            }
            metrics.paused.set(paused.isEmpty ? 0.0 : 1.0)
        }

        private mutating func applyRebalances() {
            for event in membership.takeEvents() {
                if event.kind == .assigned {
                    for topicPartition in event.partitions {
                        var state = PartitionState(settings: settings.derivation, warmupEnd: event.rewound[topicPartition]?.upperBound)
                        if let rate = follower.rate {
                            state.deriver.updateExchangeRate(krwPerUSDT: rate.krwPerUSDT, eventTimeNanos: rate.eventTimeNanos)
                        }
                        partitions[topicPartition.partition] = state
                        if let range = event.rewound[topicPartition] {
                            processor.logger.info("warming up partition", metadata: [
                                "partition": "\(topicPartition.partition)", "from": "\(range.lowerBound)", "to": "\(range.upperBound)"])
                        }
                    }
                } else {
                    for topicPartition in event.partitions {
                        partitions[topicPartition.partition] = nil
                        paused.remove(topicPartition)
                    }
                    batch.dropOffsets(of: event.partitions.map(\.partition))
                    committer.ledger.drop(partitions: event.partitions.map(\.partition))
                }
            }
        }

        private mutating func applyExchangeRate() {
            guard let rate = follower.rate, rate.version != exchangeRateVersion else { return }
            exchangeRateVersion = rate.version
            for partition in partitions.keys {
                partitions[partition]?.deriver.updateExchangeRate(krwPerUSDT: rate.krwPerUSDT, eventTimeNanos: rate.eventTimeNanos)
            }
        }

        private func startPoll() -> Task<[DecodedMessage], any Error> {
            let (consumer, maximum) = (consumer, settings.pollMessages)
            return Task {
                try await consumer.poll(maximumMessages: maximum, timeout: .milliseconds(50)).map(DecodedMessage.init)
            }
        }

        /// Derives the points of `messages`, a partition's run of messages at a time (librdkafka
        /// hands them out in runs), its state taken out of the table for the run.
        private mutating func derive(_ messages: [DecodedMessage]) {
            var tally = PointDeriver.Tally()
            var start = messages.startIndex
            while start < messages.endIndex {
                let partition = messages[start].message.partition
                var end = start + 1
                while end < messages.endIndex, messages[end].message.partition == partition { end += 1 }
                var state = partitions.removeValue(forKey: partition) ?? PartitionState(settings: settings.derivation, warmupEnd: nil)
                for decoded in messages[start..<end] {
                    take(decoded, state: &state, tally: &tally)
                }
                partitions[partition] = state
                start = end
            }
            metrics.record(tally)
        }

        private mutating func take(_ decoded: DecodedMessage, state: inout PartitionState, tally: inout PointDeriver.Tally) {
            let message = decoded.message
            let source = MessagePosition(partition: message.partition, offset: message.offset)
            let warmingUp = state.isWarmingUp(at: message.offset)
            switch decoded.event {
            case .success(let event) where warmingUp:
                state.warmUp(with: event)
                metrics.warmupMessages.increment()
            case .success(let event):
                state.derive(event, from: source, into: &batch, tally: &tally)
                if event.kind == .ticker, settings.watchlist.contains(event.symbol) {
                    metrics.watch(event, deriver: state.deriver)
                }
            case .failure where warmingUp:
                break  // dead-lettered when it was first read
            case .failure(let error):
                processor.delivery.deadLetters.send(DeadLetter(
                    kind: .undecodable, reason: error.description,
                    source: DeadLetter.Source(topic: message.topic, partition: message.partition, offset: message.offset),
                    payload: Array(message.value)))
                metrics.deadLetteredUndecodable.increment()
                batch.deadLetters += 1
                batch.cover(source)
            }
        }

        /// Starts writing `batch`; when it is stored, its offsets are acknowledged and committed
        /// if a commit is due.
        private func start(_ batch: PointBatch) -> InFlightWrite {
            let delivery = processor.delivery
            let committer = self.committer
            return InFlightWrite(messages: batch.messages) {
                do {
                    try await delivery.deliver(batch)
                } catch {
                    return  // cancelled at shutdown: the messages stay uncommitted and are read again
                }
                committer.ledger.acknowledge(batch.commitOffsets, messages: batch.messages)
                await committer.commit(committer.ledger.takeDue(at: .now))
            }
        }

        /// Starts committing offsets already acknowledged.
        private func startCommit(_ due: CommitLedger.Due) -> InFlightWrite {
            let committer = self.committer
            return InFlightWrite(messages: due.messages) { await committer.commit(due) }
        }

        /// At shutdown: finishes the write in flight and writes what is left, within the
        /// shutdown timeout; past it, cancels (the uncommitted messages are read again later).
        mutating func drain() async {
            // A poll still running returns messages nobody derives: they stay uncommitted and
            // are read again by the partition's next owner.
            _ = try? await prefetch?.value
            prefetch = nil
            let pending = batch
            batch = PointBatch()
            let previous = inFlight
            inFlight = nil
            let final = pending.isEmpty ? nil : start(pending)
            let committer = self.committer
            let finished = await completes(within: settings.shutdownTimeout) {
                await previous?.task.value
                await final?.task.value
                await committer.commit(committer.ledger.takeDue(at: .now, force: true))
            }
            if !finished {
                if Task.isCancelled {
                    processor.logger.info("cancelled before the last points were written and committed; they will be processed again")
                } else {
                    processor.logger.warning("shutdown timeout reached before the last points were written; they will be processed again")
                }
                previous?.task.cancel()
                final?.task.cancel()
            }
        }
    }
}

/// A consumed message and the event it carries (or why it carries none).
private struct DecodedMessage: Sendable {
    let message: KafkaMessage
    let event: Result<MarketEvent, EventCodec.DecodeError>

    init(_ message: KafkaMessage) {
        self.message = message
        event = message.decodedEvent()
    }
}

/// One owned partition: its deriver and where its warm-up ends.
private struct PartitionState: Sendable {
    var deriver: PointDeriver
    /// Messages before this offset were processed by an earlier owner: state only.
    let warmupEnd: Int?
    private var scratch = LineProtocol.Buffer(capacity: 0)

    init(settings: PointDeriver.Settings, warmupEnd: Int?) {
        deriver = PointDeriver(settings: settings)
        self.warmupEnd = warmupEnd
    }

    func isWarmingUp(at offset: Int) -> Bool {
        warmupEnd.map { offset < $0 } ?? false
    }

    mutating func warmUp(with event: MarketEvent) {
        var ignored = PointDeriver.Tally()
        deriver.apply(event, emit: false, into: &scratch, tally: &ignored)
    }

    mutating func derive(_ event: MarketEvent, from source: MessagePosition, into batch: inout PointBatch, tally: inout PointDeriver.Tally) {
        batch.add(event, from: source, deriver: &deriver, tally: &tally)
    }
}

/// Commits acknowledged offsets of the partitions still owned, and counts the outcome.
private struct Committer: Sendable {
    let consumer: KafkaConsumer
    let membership: Membership
    let ledger: CommitLedger
    let topic: String
    let metrics: ProcessorMetrics
    let logger: Logger

    /// Commits `due` (nothing when nil); a failed commit gives the offsets back to the ledger,
    /// so the next one carries them.
    func commit(_ due: CommitLedger.Due?) async {
        guard let due else { return }
        let offsets = membership.owned(due.offsets, topic: topic)
        guard !offsets.isEmpty else { return }
        do {
            try await consumer.commit(offsets)
            metrics.commitsOK.increment()
        } catch {
            metrics.commitsFailed.increment()
            ledger.acknowledge(due.offsets, messages: due.messages)
            logger.warning("commit failed; retried with the next one", metadata: ["error": "\(error)", "offsets": "\(offsets)"])
        }
    }
}

/// A batch being written, or acknowledged offsets being committed.
private struct InFlightWrite {
    let task: Task<Void, Never>
    let finished: CompletionFlag
    let messages: Int
    let startedAt: ContinuousClock.Instant

    /// Starts `work` (covering `messages` consumed messages) in a task of its own.
    init(messages: Int, _ work: @escaping @Sendable () async -> Void) {
        let finished = CompletionFlag()
        task = Task {
            defer { finished.set() }
            await work()
        }
        self.finished = finished
        self.messages = messages
        startedAt = .now
    }

    var isFinished: Bool { finished.isSet }
}

/// Set once by a task when it is done, read by the loop without waiting.
private final class CompletionFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() {
        value.store(true, ordering: .releasing)
    }
}

/// What the rebalance callback learns (on the poll thread), for the loop and the write tasks.
private final class Membership: Sendable {
    private struct State {
        var events: [KafkaRebalanceEvent] = []
        var owned: Set<Int> = []
    }

    private let state = Mutex(State())

    func record(_ event: KafkaRebalanceEvent) {
        state.withLock { state in
            state.events.append(event)
            let partitions = event.partitions.map(\.partition)
            if event.kind == .assigned {
                state.owned.formUnion(partitions)
            } else {
                state.owned.subtract(partitions)
            }
        }
    }

    func takeEvents() -> [KafkaRebalanceEvent] {
        state.withLock { state in
            defer { state.events = [] }
            return state.events
        }
    }

    /// `offsets` (partition → next offset) of the partitions owned now.
    func owned(_ offsets: [Int: Int], topic: String) -> [KafkaTopicPartitionOffset] {
        let owned = state.withLock { $0.owned }
        return offsets.filter { owned.contains($0.key) }.map { KafkaTopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) }
    }
}
