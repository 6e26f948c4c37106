import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// Owns the collector's Kafka producer for the life of the process: mirrors its delivery reports
/// into `coinflux_producer_deliveries_total` once a second, records each delivered message's
/// send-to-acknowledgement time in `coinflux_producer_ack_latency_seconds`, and on graceful shutdown (after the
/// feeds have stopped) flushes what is queued, within `flushTimeout`, and closes it.
public struct ProducerService: Service {
    public let producer: KafkaProducer
    let delivered: Counter
    let failed: Counter
    let flushTimeout: Duration
    let logger: Logger

    public init(producer: KafkaProducer, metrics: Metrics, flushTimeout: Duration = .seconds(10), logger: Logger) {
        self.producer = producer
        self.delivered = metrics.counter(MetricCatalogue.producerDeliveries, "delivered")
        self.failed = metrics.counter(MetricCatalogue.producerDeliveries, "failed")
        let latency = metrics.histogram(MetricCatalogue.producerAckLatency, buckets: MetricCatalogue.producerAckLatencyBuckets)
        producer.onDelivery { latency.record($0.inSeconds) }
        self.flushTimeout = flushTimeout
        self.logger = logger
    }

    /// The producer's part of the status line: `delivered 60 012, failed 0, dropped 0, queued 12`.
    public func status() -> String {
        let counters = producer.counters
        return "delivered \(counters.delivered), failed \(counters.failed), dropped \(counters.dropped), in queue \(counters.inQueue)"
    }

    public func run() async throws {
        let reporter = DeliveryReporter(service: self)
        // Sleeping throws once the graceful shutdown cancels the loop; then flush and close.
        var failure: ProducerFailure?
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: .seconds(1))
                    reporter.report()
                    if let fatal = producer.fatalError { throw ProducerFailure(reason: fatal) }
                }
            }
        } catch let error as ProducerFailure {
            failure = error
        } catch {}
        do {
            if failure == nil { try await producer.flush(timeout: flushTimeout) }
        } catch {
            logger.error("Kafka flush at shutdown did not complete; undelivered messages are counted as failed", metadata: ["error": "\(error)"])
        }
        await producer.close(timeout: flushTimeout)
        let final = reporter.report()
        logger.info("Kafka producer closed", metadata: [
            "delivered": "\(final.delivered)", "failed": "\(final.failed)", "dropped": "\(final.dropped)",
        ])
        if let failure { throw failure }
    }
}

/// The producer stopped for good: librdkafka fails every message after a fatal error (for an
/// idempotent producer, a broker that lost messages it had acknowledged). The collector exits
/// rather than drop everything from then on; started again, it finds where each series left off
/// in the topic and backfills the trades from the exchanges' REST history.
public struct ProducerFailure: Error, CustomStringConvertible {
    public var reason: String
    public var description: String {
        "the Kafka producer hit a fatal error and can deliver nothing more (\(reason)); exiting: started again, the collector resumes where each series left off and backfills the trades"
    }
}

/// Turns the producer's cumulative counters into increments of the Prometheus counters.
private final class DeliveryReporter: Sendable {
    private let service: ProducerService
    private let reported: Mutex<KafkaProducer.Counters>

    init(service: ProducerService) {
        self.service = service
        self.reported = Mutex(service.producer.counters)
    }

    /// Adds the deliveries since the last report to the counters; returns the new snapshot.
    @discardableResult
    func report() -> KafkaProducer.Counters {
        let now = service.producer.counters
        reported.withLock { previous in
            if now.delivered > previous.delivered { service.delivered.increment(by: Int64(now.delivered - previous.delivered)) }
            if now.failed > previous.failed { service.failed.increment(by: Int64(now.failed - previous.failed)) }
            previous = now
        }
        return now
    }
}
