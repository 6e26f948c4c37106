import CoinfluxCore
import Kafka
import Logging
import ProcessorCore
import Synchronization

/// Reads the FX topic (`market.fx`: `USDT-KRW` tickers) in full, from the beginning, in a
/// consumer group of its own, so every processor instance knows the latest KRW-per-USDT rate
/// whichever ticks partitions it owns. Never commits.
final class ExchangeRateFollower: Sendable {
    private let consumer: KafkaConsumer
    private let topic: String
    private let logger: Logger
    /// The newest rate (by event time) and how many updates there have been.
    private let latest = Mutex<(rate: ExchangeRate, version: Int)?>(nil)
    /// The highest offset read of the topic's first partition (the FX topic has one).
    private let readThrough = Atomic<Int>(-1)

    /// - Parameter groupPrefix: The processor's group id; the follower's group is this plus a
    ///   random suffix, so each instance reads every partition.
    init(bootstrapServers: [String], groupPrefix: String, topic: String, caughtUpPause: Duration,
         properties: [String: String], logger: Logger) throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            groupID: "\(groupPrefix)-fx-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))")
        configuration.autoOffsetReset = .earliest
        configuration.maximumQueuedKilobytes = 1_024
        configuration.caughtUpPause = caughtUpPause
        // A static instance id is the processor's own; the follower's group is private anyway.
        configuration.additionalProperties = properties.filter { $0.key != "group.instance.id" }
        consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// Waits until the follower has read the topic's first partition up to its end as it is now,
    /// so the rate it holds is the newest one (a restarted processor would otherwise derive its
    /// first premiums without a rate, or with an older one, than an uninterrupted run). Gives up
    /// after `timeout`, logging it.
    func catchUp(within timeout: Duration) async {
        let end: Int
        do {
            end = try await consumer.queryWatermarks(topic: topic, partition: 0, timeout: timeout).high
        } catch {
            logger.warning("could not read the end of the FX topic; premiums may lack a rate at first", metadata: ["error": "\(error)"])
            return
        }
        let deadline = ContinuousClock.now + timeout
        while readThrough.load(ordering: .relaxed) < end - 1 {
            guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(20))) != nil else {
                logger.warning("the FX topic was not read to its end in time; premiums may lack a rate at first",
                               metadata: ["read_through": "\(readThrough.load(ordering: .relaxed))", "end": "\(end)"])
                return
            }
        }
    }

    /// The newest rate, if any arrived, and its version (bumped on every update).
    var rate: (rate: ExchangeRate, version: Int)? { latest.withLock { $0 } }

    /// Follows the topic until cancelled, then leaves the group (within its close bound).
    func run() async {
        do {
            try consumer.subscribe(topics: [topic])
            while !Task.isCancelled {
                for message in try await consumer.poll(maximumMessages: 1_000, timeout: .milliseconds(200)) {
                    apply(message)
                }
            }
        } catch is CancellationError {
        } catch {
            logger.error("FX topic reader stopped; premiums use the USDT-KRW ticks of the owned partitions only", metadata: ["error": "\(error)"])
        }
        do {
            try await consumer.close()
        } catch {
            logger.warning("FX topic reader could not leave its group", metadata: ["error": "\(error)"])
        }
    }

    private func apply(_ message: KafkaMessage) {
        if message.partition == 0 { readThrough.store(max(readThrough.load(ordering: .relaxed), message.offset), ordering: .relaxed) }
        let event: MarketEvent
        switch message.sourceMessage().record {
        case .success(.event(let decoded)): event = decoded
        case .success(.gap), .success(.book), .success(.status): return
        case .failure(let undecodable):
            logger.warning("skipping an undecodable FX message", metadata: ["offset": "\(message.offset)", "error": "\(undecodable.reason)"])
            return
        }
        guard let krwPerUSDT = event.krwPerUSDT else { return }
        latest.withLock { latest in
            guard latest.map({ event.eventTimeNanos >= $0.rate.eventTimeNanos }) ?? true else { return }
            latest = (ExchangeRate(krwPerUSDT: krwPerUSDT, eventTimeNanos: event.eventTimeNanos), (latest?.version ?? 0) + 1)
        }
    }
}
