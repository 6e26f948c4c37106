import CoinfluxCore
import Kafka
import Logging
import ProcessorCore
import Synchronization

/// Reads the FX topic (`market.fx`: `USDT-KRW` tickers and the FX source's USD/KRW rates) in
/// full, from the beginning, in a consumer group of its own, so every processor instance knows the
/// latest KRW-per-USDT and KRW-per-USD rates whichever ticks partitions it owns. Never commits.
final class ExchangeRateFollower: Sendable {
    private let consumer: KafkaConsumer
    private let topic: String
    private let logger: Logger
    /// The newest rates (by event time, by read time for the FX source) and how many updates there have been.
    private let latest = Mutex<(rates: ExchangeRates, version: Int)?>(nil)
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

    /// The newest rates, if any arrived, and their version (bumped on every update).
    var rates: (rates: ExchangeRates, version: Int)? { latest.withLock { $0 } }

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
        switch message.sourceMessage().record {
        case .success(.event(let event)):
            guard let krwPerUSDT = event.krwPerUSDT else { return }
            update { rates in
                guard rates.krwPerUSDT.map({ event.eventTimeNanos >= $0.eventTimeNanos }) ?? true else { return false }
                rates.krwPerUSDT = ExchangeRate(krwPerUSDT: krwPerUSDT, eventTimeNanos: event.eventTimeNanos)
                return true
            }
        case .success(.fx(let fx)):
            update { rates in
                guard rates.fx.map({ fx.observedNanos >= $0.observedNanos }) ?? true else { return false }
                rates.fx = fx
                return true
            }
        case .success(.gap), .success(.book), .success(.status): return
        case .failure(let undecodable):
            logger.warning("skipping an undecodable FX message", metadata: ["offset": "\(message.offset)", "error": "\(undecodable.reason)"])
        }
    }

    /// Applies `change` to the latest rates; bumps the version when it changed them.
    private func update(_ change: (inout ExchangeRates) -> Bool) {
        latest.withLock { latest in
            var rates = latest?.rates ?? ExchangeRates()
            guard change(&rates) else { return }
            latest = (rates, (latest?.version ?? 0) + 1)
        }
    }
}
