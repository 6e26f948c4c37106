/// Which assigned partitions a consumer is resting (keeping paused because they have nothing
/// more to read) and which the application paused, so the two kinds of pause never undo each other.
///
/// Real brokers hold an empty fetch until data arrives or `fetch.wait.max.ms` passes; librdkafka
/// relies on that and fetches again at once after an empty answer (it never backs off at the end
/// of a partition). A broker that answers empty fetches at once instead is then asked ~20 000
/// times a second, a core on each side. A resting partition stays paused instead, and every
/// `pause` the consumer asks the broker for its latest offsets (one request for all resting
/// partitions); a partition fetches again once the broker has something beyond where it stopped.
/// Pure bookkeeping: the consumer makes the librdkafka calls.
struct PartitionRests: Sendable {
    /// Time between two checks of a resting partition; zero turns resting off.
    let pause: Duration
    private var resting: [KafkaTopicPartition: Rest] = [:]
    private var heldByApplication: Set<KafkaTopicPartition> = []
    /// When to look at the partitions again although no rest is due (a partition still waits for
    /// its first fetch answer).
    private var recheckAt: ContinuousClock.Instant?
    /// How soon that is.
    static let recheckInterval = Duration.milliseconds(1)
    /// Where librdkafka last reported reaching a partition's end (`enable.partition.eof`): the
    /// next offset of a partition that has returned no message yet, e.g. one whose group offset
    /// is already at the end.
    private var ends: [KafkaTopicPartition: Int] = [:]
    /// Partitions whose rest ended on new messages, with the broker's latest offset then: until a
    /// fetch answer shows librdkafka that watermark, its old one must not start another rest.
    private var awakened: [KafkaTopicPartition: Int] = [:]

    private struct Rest: Sendable {
        /// Next check with the broker.
        var until: ContinuousClock.Instant
        /// The partition rests until the broker has a message at this offset.
        var nextOffset: Int
    }

    init(pause: Duration) {
        self.pause = pause
    }

    var isEnabled: Bool { pause > .zero }

    /// Where a partition with nothing more to read waits, or nil while it has more: its next
    /// offset — the position after the last message returned, or before the first one where
    /// librdkafka reported the partition's end — when that is at the high watermark librdkafka
    /// last saw. Unknown (no position, no end reported, no fetch answer yet) counts as more to
    /// read. A partition just awakened by new messages has more until librdkafka has seen them.
    mutating func caughtUpOffset(_ partition: KafkaTopicPartition, position: Int?, highWatermark: Int?) -> Int? {
        if let expected = awakened[partition] {
            guard let highWatermark, highWatermark >= expected else { return nil }
            awakened[partition] = nil
        }
        return Self.caughtUpOffset(nextOffset: position ?? ends[partition], highWatermark: highWatermark)
    }

    static func caughtUpOffset(nextOffset: Int?, highWatermark: Int?) -> Int? {
        guard let nextOffset, let highWatermark, nextOffset >= highWatermark else { return nil }
        return nextOffset
    }

    /// Records where librdkafka reported partitions' ends.
    mutating func reachedEnds(_ reported: [KafkaTopicPartition: Int]) {
        ends.merge(reported) { _, newer in newer }
    }

    /// When the earliest check is due, if any partition rests or waits for a recheck.
    var nextWake: ContinuousClock.Instant? {
        (resting.values.map(\.until) + [recheckAt].compactMap { $0 }).min()
    }

    /// Asks for a look at the partitions within ``recheckInterval`` (`soon`), or cancels that.
    mutating func recheck(soon: Bool, now: ContinuousClock.Instant) {
        recheckAt = soon ? now + Self.recheckInterval : nil
    }

    /// Partitions neither resting nor paused by the application: those that may start a rest.
    func restable(_ partitions: some Sequence<KafkaTopicPartition>) -> [KafkaTopicPartition] {
        partitions.filter { resting[$0] == nil && !heldByApplication.contains($0) }
    }

    /// Starts rests (the partitions already paused in librdkafka), each until the broker has a
    /// message at the given offset; the first check is at `now + pause`. Partitions the
    /// application paused in the meantime stay the application's.
    mutating func rest(_ partitions: [KafkaTopicPartition: Int], now: ContinuousClock.Instant) {
        for (partition, nextOffset) in partitions where !heldByApplication.contains(partition) {
            resting[partition] = Rest(until: now + pause, nextOffset: nextOffset)
        }
    }

    /// The resting partitions whose check is due at `now`.
    func due(now: ContinuousClock.Instant) -> [KafkaTopicPartition] {
        resting.filter { $0.value.until <= now }.map(\.key)
    }

    /// Settles the checks of `due` partitions with the broker's latest offsets: ends the rests of
    /// those with a message beyond where they stopped, or whose offset is unknown (an error: fetch
    /// to find out), and returns them, to resume; the others rest another `pause`.
    mutating func settle(_ due: [KafkaTopicPartition], latest: [KafkaTopicPartition: Int], now: ContinuousClock.Instant) -> [KafkaTopicPartition] {
        var ended: [KafkaTopicPartition] = []
        let nextCheck = now + pause
        for partition in due {
            guard let rest = resting[partition] else { continue }
            if let offset = latest[partition], offset <= rest.nextOffset {
                resting[partition]?.until = nextCheck
            } else {
                resting[partition] = nil
                awakened[partition] = latest[partition]
                ended.append(partition)
            }
        }
        return ended
    }

    /// The application paused `partitions`: they stay paused until it resumes them.
    mutating func applicationPaused(_ partitions: [KafkaTopicPartition]) {
        heldByApplication.formUnion(partitions)
        for partition in partitions {
            resting[partition] = nil
        }
    }

    /// The application resumed `partitions`: resting or not, they fetch again.
    mutating func applicationResumed(_ partitions: [KafkaTopicPartition]) {
        heldByApplication.subtract(partitions)
        for partition in partitions {
            resting[partition] = nil
        }
    }

    /// The application moved the read position of `partitions` (a seek): a rest waited for
    /// messages beyond where the partition stopped, which no longer applies. Ends their rests and
    /// returns the partitions that were resting, to resume; the application's pauses stay.
    mutating func moved(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        var ended: [KafkaTopicPartition] = []
        for partition in partitions {
            ends[partition] = nil
            awakened[partition] = nil
            if resting.removeValue(forKey: partition) != nil { ended.append(partition) }
        }
        return ended
    }

    /// Forgets partitions no longer assigned (their next assignment starts unpaused).
    mutating func keepOnly(_ assigned: Set<KafkaTopicPartition>) {
        heldByApplication.formIntersection(assigned)
        resting = resting.filter { assigned.contains($0.key) }
        awakened = awakened.filter { assigned.contains($0.key) }
        ends = ends.filter { assigned.contains($0.key) }
    }
}
