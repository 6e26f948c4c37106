import CoinfluxCore
import Kafka
import Logging
import Processor
import ProcessorCore
import Synchronization

/// The Kafka ticks topic as an ``EventSource``: a consumer-group member whose assigned
/// partitions start `warmupMessages` before their committed offset — further back when those
/// do not cover `warmupWindow` of message time (``WarmupWindow``) — with the FX topic followed
/// alongside (every instance reads all of it) and the consumer lag reported every five seconds.
public final class KafkaEventSource: EventSource {
    public let topic: String
    private let consumer: KafkaConsumer
    private let follower: ExchangeRateFollower
    private let warmupMessages: Int
    private let warmupWindow: Duration
    private let metrics: ProcessorMetrics
    private let logger: Logger
    private let membership: Membership

    /// - Parameters:
    ///   - consumerConfiguration: Bootstrap servers, group id and extra properties of the ticks
    ///     consumer (the FX reader uses them too, in a group of its own). Auto-commit is turned off.
    ///   - warmupMessages: How far before its committed offset an assigned partition starts.
    ///   - warmupWindow: How much message time before its committed offset an assigned
    ///     partition re-reads at least; zero: `warmupMessages` only.
    public init(consumerConfiguration: KafkaConsumerConfiguration, ticksTopic: String, fxTopic: String, warmupMessages: Int,
                warmupWindow: Duration = .zero, metrics: ProcessorMetrics, logger: Logger) throws {
        var configuration = consumerConfiguration
        configuration.isAutoCommitEnabled = false
        consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        follower = try ExchangeRateFollower(
            bootstrapServers: configuration.bootstrapServers, groupPrefix: configuration.groupID, topic: fxTopic,
            caughtUpPause: configuration.caughtUpPause, properties: configuration.additionalProperties, logger: logger)
        topic = ticksTopic
        self.warmupMessages = warmupMessages
        self.warmupWindow = warmupWindow
        membership = Membership(window: WarmupWindow(window: warmupWindow))
        self.metrics = metrics
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

    public var isDurable: Bool { true }

    public func poll(maximum: Int, timeout: Duration) async throws -> SourceBatch {
        if membership.subscribeOnce() {
            await follower.catchUp(within: .seconds(10))
            // A window needs at least the last processed message, for its time.
            let rewind = warmupWindow > .zero ? max(1, warmupMessages) : warmupMessages
            try consumer.subscribe(topics: [topic], rewind: rewind) { [membership] event in membership.record(event) }
        }
        let polled = try await consumer.poll(maximumMessages: maximum, timeout: timeout)
        let changes = membership.takeChanges()
        if membership.isPaused, changes.contains(where: { if case .assigned = $0 { true } else { false } }) {
            try pauseAssigned()
        }
        var messages = polled.map { $0.sourceMessage() }
        let rewinds = membership.observe(messages)
        if !rewinds.isEmpty {
            let rewound = try await extendWarmup(rewinds)
            messages.removeAll { rewound.contains($0.position.partition) }
        }
        return SourceBatch(changes: changes, messages: messages, exchangeRates: membership.newRates(follower.rates))
    }

    /// Rewinds each partition whose warm-up ended short of the window to its first message at or
    /// after the time given, when that is before where it started; the partition's state is then
    /// rebuilt from there (a new assignment change, handed out with the next poll).
    /// - Returns: The partitions rewound: their messages of this poll are read again.
    private func extendWarmup(_ rewinds: [Int: Int64]) async throws -> Set<Int> {
        let times = Dictionary(uniqueKeysWithValues: rewinds.map { (KafkaTopicPartition(topic: topic, partition: $0.key), Int($0.value / 1_000_000)) })
        let offsets: [KafkaTopicPartition: Int]
        do {
            offsets = try await consumer.offsets(forTimes: times)
        } catch {
            logger.warning("could not look up where the warm-up window starts; state is rebuilt from processor.warmup_messages only",
                           metadata: ["error": "\(error)"])
            offsets = [:]
        }
        var rewound: Set<Int> = []
        for partition in rewinds.keys.sorted() {
            let key = KafkaTopicPartition(topic: topic, partition: partition)
            guard let start = offsets[key], let plan = membership.extendedRange(of: partition, from: start) else {
                membership.settle(partition: partition)
                continue
            }
            do {
                try await consumer.seek([KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: start)])
            } catch {
                logger.warning("could not rewind to the warm-up window's start; state is rebuilt from processor.warmup_messages only",
                               metadata: ["partition": "\(partition)", "error": "\(error)"])
                membership.settle(partition: partition)
                continue
            }
            membership.extend(partition: partition, to: plan)
            rewound.insert(partition)
            logger.info("warm-up window reaches further back than processor.warmup_messages; rebuilding the partition's state", metadata: [
                "partition": "\(partition)", "from_offset": "\(start)", "until_offset": "\(plan.upperBound)",
            ])
        }
        return rewound
    }

    public func commit(_ coverage: Coverage) async throws {
        let offsets = membership.owned(coverage.nextOffsets).map { KafkaTopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) }
        guard !offsets.isEmpty else { return }
        try await consumer.commit(offsets)
    }

    public func setPaused(_ paused: Bool) throws {
        membership.isPaused = paused
        if paused {
            try pauseAssigned()
        } else {
            let assigned = try consumer.assignment()
            if !assigned.isEmpty { try consumer.resume(assigned) }
        }
    }

    private func pauseAssigned() throws {
        let assigned = try consumer.assignment()
        if !assigned.isEmpty { try consumer.pause(assigned) }
    }

    public func runAlongside() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.follower.run() }
            group.addTask { await self.reportLag() }
        }
    }

    public func close() async {
        do {
            try await consumer.close()
        } catch {
            logger.warning("could not leave the consumer group; the group reassigns the partitions after its session timeout", metadata: ["error": "\(error)"])
        }
    }

    /// Sets the consumer-lag gauges every five seconds (high watermark − committed offset).
    private func reportLag() async {
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
}

/// What the rebalance callback learns (on the poll thread), taken by the next poll's caller; the
/// partitions owned now (for commits); whether intake is paused; the FX version handed out.
private final class Membership: Sendable {
    private struct State {
        var subscribed = false
        var changes: [PartitionChange] = []
        var owned: Set<Int> = []
        var paused = false
        var rateVersion = 0
        var window: WarmupWindow
        /// Per owned partition, where its warm-up started and the committed offset.
        var warmups: [Int: Range<Int>] = [:]
    }

    private let state: Mutex<State>

    init(window: WarmupWindow) {
        state = Mutex(State(window: window))
    }

    /// True the first time: the caller subscribes.
    func subscribeOnce() -> Bool {
        state.withLock { state in
            defer { state.subscribed = true }
            return !state.subscribed
        }
    }

    func record(_ event: KafkaRebalanceEvent) {
        state.withLock { state in
            let partitions = event.partitions.map(\.partition)
            if event.kind == .assigned {
                state.owned.formUnion(partitions)
                for topicPartition in event.partitions {
                    let rewound = event.rewound[topicPartition]
                    state.changes.append(.assigned(partition: topicPartition.partition, warmupEnd: rewound?.upperBound))
                    state.warmups[topicPartition.partition] = rewound
                    if let rewound { state.window.assigned(partition: topicPartition.partition, rewound: rewound) }
                }
            } else {
                state.owned.subtract(partitions)
                state.changes.append(.revoked(partitions: partitions))
                state.window.revoked(partitions: partitions)
                for partition in partitions { state.warmups[partition] = nil }
            }
        }
    }

    /// Observes polled messages; returns the partitions whose warm-up ended short of the window,
    /// with the time reading must start again from.
    func observe(_ messages: [SourceMessage]) -> [Int: Int64] {
        state.withLock { state in
            guard state.window.pending > 0 else { return [:] }
            var rewinds: [Int: Int64] = [:]
            for message in messages {
                if case .rewind(let partition, let time) = state.window.observe(message.position, timeNanos: message.timeNanos) {
                    rewinds[partition] = time
                }
            }
            return rewinds
        }
    }

    /// The warm-up range of `partition` read again from `start`, if that is before its current
    /// start and the partition is still owned; nil when there is nothing older to read.
    func extendedRange(of partition: Int, from start: Int) -> Range<Int>? {
        state.withLock { state in
            guard state.owned.contains(partition), let current = state.warmups[partition], start < current.lowerBound else { return nil }
            return start..<current.upperBound
        }
    }

    /// `partition` is read again over `range`: its state is rebuilt (an assignment change for
    /// the next poll), and it is not extended again.
    func extend(partition: Int, to range: Range<Int>) {
        state.withLock { state in
            state.warmups[partition] = range
            state.window.extended(partition: partition, from: range.lowerBound)
            state.changes.append(.assigned(partition: partition, warmupEnd: range.upperBound))
        }
    }

    /// No further rewind for `partition`.
    func settle(partition: Int) {
        state.withLock { $0.window.settled(partition: partition) }
    }

    func takeChanges() -> [PartitionChange] {
        state.withLock { state in
            defer { state.changes = [] }
            return state.changes
        }
    }

    /// `offsets` (partition → next offset) of the partitions owned now.
    func owned(_ offsets: [Int: Int]) -> [Int: Int] {
        let owned = state.withLock { $0.owned }
        return offsets.filter { owned.contains($0.key) }
    }

    var isPaused: Bool {
        get { state.withLock { $0.paused } }
        set { state.withLock { $0.paused = newValue } }
    }

    /// `current` if it is newer than the last rates handed out.
    func newRates(_ current: (rates: ExchangeRates, version: Int)?) -> ExchangeRates? {
        guard let current else { return nil }
        return state.withLock { state in
            guard current.version != state.rateVersion else { return nil }
            state.rateVersion = current.version
            return current.rates
        }
    }
}
