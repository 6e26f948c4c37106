import Logging
import Synchronization

/// A member of a Kafka consumer group that reads messages in batches and commits offsets explicitly.
///
/// Threading: ``poll(maximumMessages:timeout:)``, ``seek(_:timeout:)`` and ``close()`` run one at
/// a time on the consumer's own serial queue (librdkafka 2.0 wants consumption, seeks and
/// rebalances sequential); commits and offset/watermark queries run on a second queue; none of them
/// blocks the cooperative thread pool. Rebalance and statistics handlers run inside `poll`.
/// Keep polling while partitions are paused, or the group evicts the member after
/// `maximumPollInterval`.
public final class KafkaConsumer: Sendable {
    private let client: RDKafkaClient
    private let pollQueue: BlockingQueue
    private let blocking: BlockingQueue
    private let closed = Atomic<Bool>(false)
    private let rests: Mutex<PartitionRests>

    /// Creates the consumer. It joins the group on ``subscribe(topics:rewind:onRebalance:)`` and the
    /// following polls.
    /// - Parameters:
    ///   - configuration: brokers, group and consumption settings.
    ///   - logger: receives librdkafka's log lines and errors.
    ///   - onStatistics: called with each statistics report (every `statisticsInterval`) from
    ///     inside `poll`; keep it short.
    /// - Throws: ``KafkaError`` with code ``KafkaError/Code/invalidConfiguration`` naming a bad property.
    public init(
        configuration: KafkaConsumerConfiguration,
        logger: Logger = Logger(label: "coinflux.kafka.consumer"),
        onStatistics: (@Sendable (KafkaStatistics) -> Void)? = nil
    ) throws {
        let events = RDKafkaEvents(logger: logger, statisticsHandler: onStatistics)
        client = try RDKafkaClient.make(
            kind: .consumer,
            properties: configuration.rdKafkaProperties(withStatistics: onStatistics != nil),
            events: events
        )
        rests = Mutex(PartitionRests(pause: configuration.caughtUpPause))
        pollQueue = BlockingQueue(label: "coinflux.kafka.consumer.poll", concurrent: false)
        blocking = BlockingQueue(label: "coinflux.kafka.consumer.blocking", concurrent: true)
    }

    /// Subscribes to `topics` (replacing any earlier subscription).
    /// - Parameters:
    ///   - rewind: When above 0, each assigned partition with a committed offset starts up to this
    ///     many messages before it, so the caller can rebuild state from messages it already
    ///     processed; ``KafkaRebalanceEvent/rewound`` says where each such partition starts and
    ///     where the new messages begin.
    ///   - onRebalance: told of every assignment change, from inside ``poll(maximumMessages:timeout:)``:
    ///     revocations before the partitions are given up, assignments after they are taken. Must not block.
    public func subscribe(topics: [String], rewind: Int = 0, onRebalance: (@Sendable (KafkaRebalanceEvent) -> Void)? = nil) throws {
        try checkOpen()
        client.events.rebalanceHandler.withLock {
            $0 = Callback { [weak self] event in
                // A partition assigned anew fetches (see RDKafkaEvents): neither resting nor held.
                if event.kind == .assigned { self?.rests.withLock { $0.applicationResumed(event.partitions) } }
                onRebalance?(event)
            }
        }
        client.events.rewindOnAssign.store(max(0, rewind), ordering: .relaxed)
        try client.subscribe(topics: topics)
    }

    /// Returns up to `maximumMessages` messages: waits up to `timeout` for the first one, then adds
    /// whatever else is already fetched. An empty array means nothing arrived in time (or a
    /// resting partition is due to fetch again, see ``KafkaConsumerConfiguration/caughtUpPause``).
    /// Messages revoked in a rebalance during the call are left out (their next owner re-reads them).
    /// Batches of one or two thousand keep the caller's loop cheap; much larger ones no longer fit
    /// in the CPU's cache.
    /// - Throws: ``KafkaError`` on fatal consumer errors or after ``close()``; transient ones are logged.
    public func poll(maximumMessages: Int = 1000, timeout: Duration = .milliseconds(100)) async throws -> [KafkaMessage] {
        try checkOpen()
        let maximum = max(1, maximumMessages)
        return try await pollQueue.run { [self] in
            // close() may have run on the queue since the check above.
            try checkOpen()
            guard rests.withLock({ $0.isEnabled }) else {
                return try client.consumeBatch(maximum: maximum, timeoutMilliseconds: timeout.rdKafkaMilliseconds).messages
            }
            let wake = try endDueRests()
            let wait = wake.map { min(timeout, max(.zero, ContinuousClock.now.duration(to: $0))) } ?? timeout
            let polled = try client.consumeBatch(maximum: maximum, timeoutMilliseconds: wait.rdKafkaMilliseconds)
            if polled.messages.count < maximum {
                try restCaughtUpPartitions(polled)
            }
            return polled.messages
        }
    }

    /// Checks the resting partitions that are due with the broker, in one request, and resumes
    /// those with new messages; returns when the next check is due. On the poll queue.
    /// librdkafka is paused and resumed under the lock, so an application pause or resume never
    /// interleaves with a rest's.
    private func endDueRests() throws -> ContinuousClock.Instant? {
        let due = rests.withLock { $0.due(now: .now) }
        // Unknown offsets (the broker did not answer in time) end the rest: fetching finds out.
        let latest = due.isEmpty ? [:] : (try? client.latestOffsets(due, timeoutMilliseconds: 1_000)) ?? [:]
        return try rests.withLock { rests in
            let ended = rests.settle(due, latest: latest, now: .now)
            if !ended.isEmpty {
                try client.resume(ended)
            }
            return rests.nextWake
        }
    }

    /// Pauses the assigned partitions that returned nothing and have nothing more to read, until
    /// the broker has more (see ``KafkaConsumerConfiguration/caughtUpPause``). On the poll queue,
    /// after a poll that drained librdkafka's queue (so no fetched message of them waits).
    private func restCaughtUpPartitions(_ polled: RDKafkaClient.PolledBatch) throws {
        let assigned = Set(try client.assignment())
        let returned = Set(polled.messages.map(\.topicPartition))
        try rests.withLock { rests in
            rests.reachedEnds(polled.partitionEnds)
            rests.keepOnly(assigned)
            let candidates = rests.restable(assigned.subtracting(returned))
            guard !candidates.isEmpty else { return }
            let positions = try client.positions(candidates)
            var caughtUp: [KafkaTopicPartition: Int] = [:]
            var unknown = false
            for partition in candidates {
                let highWatermark = client.lastSeenHighWatermark(partition)
                unknown = unknown || highWatermark == nil
                caughtUp[partition] = rests.caughtUpOffset(partition, position: positions[partition], highWatermark: highWatermark)
            }
            // Until a partition's first fetch answer, look again soon rather than after a whole
            // poll timeout of re-fetching.
            rests.recheck(soon: unknown, now: .now)
            guard !caughtUp.isEmpty else { return }
            try client.pause(Array(caughtUp.keys))
            rests.rest(caughtUp, now: .now)
        }
    }

    /// Commits `offsets` for the group and waits for the broker's acknowledgement.
    /// - Parameter offsets: per partition the **next** offset to read, e.g. ``KafkaMessage/nextOffset``
    ///   of the last processed message.
    /// - Throws: ``KafkaError`` — ``KafkaError/Code/rebalanceInProgress`` when the group is rebalancing
    ///   (not fatal: keep polling; the messages will be read again by the partition's next owner).
    public func commit(_ offsets: [KafkaTopicPartitionOffset]) async throws {
        try checkOpen()
        guard !offsets.isEmpty else { return }
        try await blocking.run { [client] in
            try client.commit(offsets)
        }
    }

    /// The group's committed offsets (next offset to read) for `partitions`; partitions the group
    /// never committed are absent from the result.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: Int] {
        try checkOpen()
        let milliseconds = timeout.rdKafkaMilliseconds
        return try await blocking.run { [client] in
            try client.committed(partitions, timeoutMilliseconds: milliseconds)
        }
    }

    /// Low and high watermark of a partition, asked of its leader.
    public func queryWatermarks(topic: String, partition: Int, timeout: Duration = .seconds(10)) async throws -> KafkaWatermarks {
        try checkOpen()
        let milliseconds = timeout.rdKafkaMilliseconds
        return try await blocking.run { [client] in
            try client.queryWatermarks(KafkaTopicPartition(topic: topic, partition: partition), timeoutMilliseconds: milliseconds)
        }
    }

    /// Lag per partition: high watermark − the group's committed offset (see ``KafkaPartitionLag/lag``).
    /// - Parameter partitions: the partitions to report; nil means the current assignment.
    public func lag(for partitions: [KafkaTopicPartition]? = nil, timeout: Duration = .seconds(10)) async throws -> [KafkaPartitionLag] {
        let partitions = try partitions ?? assignment()
        guard !partitions.isEmpty else { return [] }
        let committed = try await committed(partitions, timeout: timeout)
        var lags: [KafkaPartitionLag] = []
        for partition in partitions {
            let watermarks = try await queryWatermarks(topic: partition.topic, partition: partition.partition, timeout: timeout)
            lags.append(KafkaPartitionLag(topicPartition: partition, watermarks: watermarks, committed: committed[partition]))
        }
        return lags
    }

    /// Reads exactly these partitions from these offsets, without a group subscription (see
    /// ``KafkaTail``). Do not mix with ``subscribe(topics:rewind:onRebalance:)``.
    public func assign(_ offsets: [KafkaTopicPartitionOffset]) throws {
        try checkOpen()
        try client.assign(offsets)
    }

    /// Per partition, the earliest offset whose message timestamp is at or after the given time
    /// (milliseconds since the epoch), asked of the leaders (ListOffsets); absent where no message
    /// is that new or the broker reported an error for the partition.
    public func offsets(forTimes times: [KafkaTopicPartition: Int], timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: Int] {
        try checkOpen()
        guard !times.isEmpty else { return [:] }
        let milliseconds = timeout.rdKafkaMilliseconds
        return try await blocking.run { [client] in
            try client.offsets(forTimes: times, timeoutMilliseconds: milliseconds)
        }
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws -> [KafkaTopicPartition] {
        try checkOpen()
        return try client.assignment()
    }

    /// Stops fetching from `partitions` (assigned ones); already fetched messages of them are
    /// discarded and fetched again after ``resume(_:)``, from the position after the last message `poll` returned.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        try checkOpen()
        try rests.withLock { rests in
            try client.pause(partitions)
            rests.applicationPaused(partitions)
        }
    }

    /// Resumes fetching from paused `partitions`.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        try checkOpen()
        try rests.withLock { rests in
            try client.resume(partitions)
            rests.applicationResumed(partitions)
        }
    }

    /// Moves the read position of assigned partitions; the next polls return messages from there.
    public func seek(_ positions: [KafkaTopicPartitionOffset], timeout: Duration = .seconds(10)) async throws {
        try checkOpen()
        let milliseconds = timeout.rdKafkaMilliseconds
        try await pollQueue.run { [self] in
            try client.seek(positions, timeoutMilliseconds: milliseconds)
            // A partition resting at its end would wait for messages beyond it: it fetches again.
            try rests.withLock { rests in
                let ended = rests.moved(positions.map(\.topicPartition))
                if !ended.isEmpty { try client.resume(ended) }
            }
        }
    }

    /// Leaves the group: the rebalance handler sees the revocation, the group reassigns the partitions
    /// at once. Commit processed offsets first. Idempotent; later calls (other than `close`) throw
    /// ``KafkaError/Code/closed``.
    ///
    /// Bounded by `timeout` whatever the broker does, and finished even if the calling task is
    /// cancelled: a consumer that cannot reach its group coordinator stops waiting and throws
    /// ``KafkaError/Code/timedOut``; the group then hands its partitions over after
    /// `session.timeout.ms` (static members: when the instance comes back or is removed).
    public func close(timeout: Duration = .seconds(5)) async throws {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        let milliseconds = timeout.rdKafkaMilliseconds
        let left = try await pollQueue.runToCompletion { [client] in
            try client.closeConsumer(timeoutMilliseconds: milliseconds)
        }
        if !left {
            throw client.explained(KafkaError(code: .timedOut, message: "could not leave the consumer group within \(timeout)"))
        }
    }

    private func checkOpen() throws {
        if closed.load(ordering: .acquiring) {
            throw KafkaError(code: .closed, message: "the consumer is closed")
        }
    }
}
