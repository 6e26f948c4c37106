import Dispatch
import Foundation
import Logging
import Synchronization

/// Produces messages to Kafka: idempotent, `acks=all`, lz4 by default (see
/// ``KafkaProducerConfiguration``).
///
/// ``send(topic:key:value:)`` only enqueues into librdkafka's bounded local queue and never blocks;
/// a full queue throws ``KafkaError/Code/queueFull`` and counts the message as dropped. A dedicated
/// thread serves delivery reports (and statistics) from creation until ``close(timeout:)``, so
/// ``counters`` are always current. Thread-safe.
public final class KafkaProducer: Sendable {
    /// A snapshot of the producer's counters.
    public struct Counters: Hashable, Sendable {
        /// Messages accepted by `send`.
        public var enqueued: Int
        /// Messages the brokers acknowledged.
        public var delivered: Int
        /// Messages that were accepted but not delivered (timed out, rejected, purged at close).
        public var failed: Int
        /// Messages `send` refused (queue full or invalid): never enqueued.
        public var dropped: Int
        /// Messages and callbacks still in librdkafka's queues.
        public var inQueue: Int
    }

    let client: RDKafkaClient
    private let blocking: BlockingQueue
    private let poller: Poller
    private let enqueued = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    /// Creates the producer and starts its delivery-report thread. Brokers are contacted lazily.
    /// - Parameters:
    ///   - configuration: where and how to produce.
    ///   - logger: receives librdkafka's log lines and errors.
    ///   - onStatistics: called with each statistics report (every `statisticsInterval`) on the
    ///     producer's thread; keep it short.
    /// - Throws: ``KafkaError`` with code ``KafkaError/Code/invalidConfiguration`` naming a bad property.
    public init(
        configuration: KafkaProducerConfiguration,
        logger: Logger = Logger(label: "coinflux.kafka.producer"),
        onStatistics: (@Sendable (KafkaStatistics) -> Void)? = nil
    ) throws {
        let events = RDKafkaEvents(logger: logger, statisticsHandler: onStatistics)
        client = try RDKafkaClient.make(
            kind: .producer,
            properties: configuration.rdKafkaProperties(withStatistics: onStatistics != nil),
            events: events
        )
        blocking = BlockingQueue(label: "coinflux.kafka.producer.blocking", concurrent: true)
        poller = Poller(client: client)
    }

    deinit {
        // The thread releases its reference to the client when it stops.
        poller.stop.store(true, ordering: .releasing)
    }

    /// Calls `handler` (on the delivery-report thread; keep it short) with every message that
    /// was enqueued but could not be delivered: timed out, rejected, or purged at close.
    public func onDeliveryFailure(_ handler: @escaping @Sendable (KafkaFailedDelivery) -> Void) {
        client.events.deliveryFailureHandler.withLock { $0 = Callback(call: handler) }
    }

    /// Calls `handler` (on the delivery-report thread; keep it short) for every delivered message
    /// with the time from its ``send(topic:key:value:)`` to its acknowledgement being served.
    public func onDelivery(latency handler: @escaping @Sendable (Duration) -> Void) {
        client.events.deliveryLatencyHandler.withLock { $0 = Callback(call: handler) }
    }

    /// Enqueues one message; librdkafka copies the bytes. Never blocks.
    /// - Parameters:
    ///   - topic: destination topic; the partition is chosen by hashing the key.
    ///   - key: partitioning key, or nil (messages without key are spread over partitions).
    ///   - value: the payload.
    /// - Throws: ``KafkaError`` — ``KafkaError/Code/queueFull`` when the local queue is full, ``KafkaError/Code/closed``
    ///   after ``close(timeout:)``. Every refused message is counted in ``Counters/dropped``.
    public func send(topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws {
        try enqueue(to: topic) {
            try client.produce(topic: topic, key: key, value: value)
        }
    }

    /// Runs `produce` (one message to `topic`) unless the producer is closed, and counts the message
    /// as enqueued or, whatever the error, dropped.
    func enqueue(to topic: String, _ produce: () throws -> Void) throws {
        do {
            guard !closed.load(ordering: .relaxed) else {
                throw KafkaError(code: .closed, message: "send to \(topic) after the producer was closed")
            }
            try produce()
            enqueued.add(1, ordering: .relaxed)
        } catch {
            dropped.add(1, ordering: .relaxed)
            throw error
        }
    }

    /// Enqueues one message with a byte-array key (or none). See the raw-buffer `send` for errors and counting.
    public func send(topic: String, key: [UInt8]?, value: [UInt8]) throws {
        try value.withUnsafeBytes { value in
            guard let key else {
                return try send(topic: topic, key: nil, value: value)
            }
            try key.withUnsafeBytes { key in
                try send(topic: topic, key: key, value: value)
            }
        }
    }

    /// Enqueues one message with a UTF-8 string key. See the raw-buffer `send` for errors and counting.
    public func send(topic: String, key: String, value: [UInt8]) throws {
        try value.withUnsafeBytes { value in
            try send(topic: topic, key: key, value: value)
        }
    }

    /// Enqueues one message with a UTF-8 string key and a value in caller-owned memory (e.g. a
    /// reused encode buffer). See the raw-buffer `send` for errors and counting.
    public func send(topic: String, key: String, value: UnsafeRawBufferPointer) throws {
        var key = key
        try key.withUTF8 { key in
            try send(topic: topic, key: UnsafeRawBufferPointer(key), value: value)
        }
    }

    /// The current counters.
    public var counters: Counters {
        Counters(
            enqueued: enqueued.load(ordering: .relaxed),
            delivered: client.events.delivered.load(ordering: .relaxed),
            failed: client.events.failed.load(ordering: .relaxed),
            dropped: dropped.load(ordering: .relaxed),
            inQueue: client.outQueueLength
        )
    }

    /// The fatal error after which this producer delivers nothing more (librdkafka fails every
    /// message from then on), or nil while it works. Only a new producer can go on.
    public var fatalError: String? {
        client.fatalError
    }

    /// The most recent failed delivery, if any.
    public var lastDeliveryError: KafkaError? {
        client.events.lastDeliveryError.withLock { $0 }
    }

    /// Waits (off the cooperative pool) until every enqueued message has a delivery report.
    /// - Throws: ``KafkaError/Code/timedOut`` naming how many messages are still undelivered.
    public func flush(timeout: Duration) async throws {
        let milliseconds = timeout.rdKafkaMilliseconds
        try await blocking.run { [client] in
            try client.flush(timeoutMilliseconds: milliseconds)
        }
    }

    /// Stops accepting messages, waits up to `timeout` for outstanding deliveries, then purges what is
    /// left (counted in ``Counters/failed``) and stops the delivery-report thread. Idempotent.
    public func close(timeout: Duration = .seconds(10)) async {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        let milliseconds = timeout.rdKafkaMilliseconds
        _ = try? await blocking.runToCompletion { [client, poller] in
            do {
                try client.flush(timeoutMilliseconds: milliseconds)
            } catch {
                let undelivered = client.outQueueLength
                client.purge()
                // Serve the purged messages' delivery reports so they are counted.
                try? client.flush(timeoutMilliseconds: 1000)
                client.events.logger.error("producer closed with \(undelivered) messages undelivered; counted as failed: \(error)")
            }
            poller.stop.store(true, ordering: .releasing)
            poller.finished.wait()
        }
    }
}

/// The producer's delivery-report thread: polls librdkafka with a timeout until told to stop.
private final class Poller: Sendable {
    let stop = Atomic<Bool>(false)
    let finished = DispatchSemaphore(value: 0)

    init(client: RDKafkaClient) {
        let thread = Thread { [self] in
            // Named from inside: Foundation on Linux applies a name set before `start()` to the
            // object only, and Linux refuses names over 15 bytes. Without it the thread shows up
            // under its creator's name in `top -H`, perf and /proc.
            Thread.current.name = "kafka.delivery"
            while !stop.load(ordering: .acquiring) {
                client.poll(timeoutMilliseconds: 100)
            }
            finished.signal()
        }
        thread.start()
    }
}
