/// Compression codec of produced message batches (`compression.codec`).
public struct KafkaCompression: Hashable, Sendable, CustomStringConvertible {
    private enum Value: String, Sendable {
        case none, gzip, snappy, lz4, zstd
    }

    private let value: Value

    public static let none = KafkaCompression(value: .none)
    public static let gzip = KafkaCompression(value: .gzip)
    public static let snappy = KafkaCompression(value: .snappy)
    public static let lz4 = KafkaCompression(value: .lz4)
    public static let zstd = KafkaCompression(value: .zstd)

    /// The librdkafka value, e.g. `lz4`.
    public var description: String { value.rawValue }
}

/// Where a group consumer starts in a partition that has no committed offset (`auto.offset.reset`).
public struct KafkaAutoOffsetReset: Hashable, Sendable, CustomStringConvertible {
    private enum Value: String, Sendable {
        case earliest, latest, error
    }

    private let value: Value

    /// Start at the oldest stored message.
    public static let earliest = KafkaAutoOffsetReset(value: .earliest)
    /// Start after the newest message (only messages produced from now on).
    public static let latest = KafkaAutoOffsetReset(value: .latest)
    /// Report an error instead of guessing.
    public static let error = KafkaAutoOffsetReset(value: .error)

    /// The librdkafka value, e.g. `earliest`.
    public var description: String { value.rawValue }
}

/// Configuration of a ``KafkaProducer``. Defaults suit coinflux: idempotent, `acks=all`, lz4,
/// a small linger, a bounded local queue.
public struct KafkaProducerConfiguration: Sendable {
    /// `host:port` of one or more brokers (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// `client.id`. Default: `coinflux`.
    public var clientID: String = "coinflux"
    /// Idempotent producer (`enable.idempotence`, implies `acks=all` and ordered retries). Default: true.
    public var isIdempotent: Bool = true
    /// `compression.codec`. Default: ``KafkaCompression/lz4``.
    public var compression: KafkaCompression = .lz4
    /// How long to wait for more messages before sending a batch (`linger.ms`). Default: 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// Produce requests one broker connection may have sent and not yet seen answered
    /// (`max.in.flight.requests.per.connection`). Default: 1.
    ///
    /// Not librdkafka's 5 (the most idempotence allows), because of how librdkafka 2.0 waits.
    /// Idempotent, it sends a partition's next batch only once the previous one is answered (its
    /// window of 5 requests is compared with the partition's count of in-flight *messages*), and
    /// while it waits holding a batch whose `linger` has passed, its broker thread polls with a zero
    /// timeout: a busy loop for as long as the broker takes to answer. A slow broker (one starved of
    /// CPU on a shared host, say) thus costs the producer up to a core, which slows the broker
    /// further. With one request per connection, the batch of the connection's next partition waits
    /// in librdkafka's output queue instead, and while a request waits there the thread sleeps until
    /// the answer; batches grow meanwhile, so throughput keeps up. (A connection whose traffic is a
    /// single partition can still loop.)
    public var maximumInFlightRequests: Int = 1
    /// Bound of the local queue in messages (`queue.buffering.max.messages`); beyond it
    /// ``KafkaProducer/send(topic:key:value:)`` fails with ``KafkaError/Code/queueFull``. Default: 100 000.
    public var maximumQueuedMessages: Int = 100_000
    /// Bound of the local queue in KiB (`queue.buffering.max.kbytes`). Default: 65 536 (64 MiB).
    public var maximumQueuedKilobytes: Int = 65_536
    /// How long a message may wait for a successful delivery, retries included, before it is reported
    /// failed (`message.timeout.ms`). Default: 120 s.
    public var deliveryTimeout: Duration = .seconds(120)
    /// Interval of statistics reports (`statistics.interval.ms`); only used when a statistics handler
    /// is given. Default: nil (no statistics).
    public var statisticsInterval: Duration?
    /// Any librdkafka property, applied last so it overrides the fields above. Default: empty.
    public var additionalProperties: [String: String] = [:]

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }
}

/// Configuration of a group ``KafkaConsumer``. Offsets are committed only explicitly by default
/// (`enable.auto.commit=false`, `enable.auto.offset.store=false`).
public struct KafkaConsumerConfiguration: Sendable {
    /// `host:port` of one or more brokers (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// The consumer group (`group.id`).
    public var groupID: String
    /// `client.id`. Default: `coinflux`.
    public var clientID: String = "coinflux"
    /// Start position where the group has no committed offset (`auto.offset.reset`). Default: earliest.
    public var autoOffsetReset: KafkaAutoOffsetReset = .earliest
    /// Periodic automatic commit of the offsets of returned messages (`enable.auto.commit`).
    /// Default: false — commit with ``KafkaConsumer/commit(_:)`` after processing.
    public var isAutoCommitEnabled: Bool = false
    /// A member that sends no heartbeat for this long is removed from the group
    /// (`session.timeout.ms`). Default: 10 s.
    public var sessionTimeout: Duration = .seconds(10)
    /// `heartbeat.interval.ms`; also bounds how fast a member notices a rebalance. Default: 1 s.
    public var heartbeatInterval: Duration = .seconds(1)
    /// A member that does not call ``KafkaConsumer/poll(maximumMessages:timeout:)`` for this long
    /// leaves the group (`max.poll.interval.ms`). Default: 300 s.
    public var maximumPollInterval: Duration = .seconds(300)
    /// Bound of prefetched messages held locally, in KiB (`queued.max.messages.kbytes`). Default: 65 536.
    public var maximumQueuedKilobytes: Int = 65_536
    /// How long a partition waits before its next fetch after a fetch error, and while the
    /// prefetch queue is full (`fetch.error.backoff.ms`; librdkafka 2.0 uses it for both). Its
    /// 500 ms default stalls a consumer that drains a full queue in a few milliseconds: a
    /// backlog read then pauses half a second per queueful. Default: 20 ms.
    public var fetchBackoff: Duration = .milliseconds(20)
    /// How a partition with nothing more to read waits for new messages: it stops fetching (a
    /// librdkafka pause), and every this long the consumer asks the broker for the latest offsets
    /// of such partitions (one ListOffsets request) and resumes those that have more. librdkafka
    /// fetches again at once after an empty answer and relies on the broker to hold empty fetches
    /// for `fetch.wait.max.ms`; a broker that answers at once instead is otherwise asked
    /// ~20 000 times a second, a core on each side. A message that arrives while its partition
    /// rests waits at most this long. Zero turns resting off. Default: 20 ms.
    public var caughtUpPause: Duration = .milliseconds(20)
    /// Interval of statistics reports (`statistics.interval.ms`); only used when a statistics handler
    /// is given. Default: nil (no statistics).
    public var statisticsInterval: Duration?
    /// Any librdkafka property, applied last so it overrides the fields above (e.g.
    /// `partition.assignment.strategy`). Default: empty.
    public var additionalProperties: [String: String] = [:]

    public init(bootstrapServers: [String], groupID: String) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }
}

/// Configuration of a ``KafkaAdmin`` client.
public struct KafkaAdminConfiguration: Sendable {
    /// `host:port` of one or more brokers (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// `client.id`. Default: `coinflux-admin`.
    public var clientID: String = "coinflux-admin"
    /// Any librdkafka property, applied last. Default: empty.
    public var additionalProperties: [String: String] = [:]

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }
}
