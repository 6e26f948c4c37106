import CoinfluxCore
import Kafka
import Logging
import Prometheus
import Telemetry

/// Produces events to Kafka: every event to the ticks topic keyed by base asset, and the
/// KRW-per-USDT markets (`USDT-KRW`) also to the FX topic, which every processor reads in full.
///
/// Never blocks: when librdkafka's bounded queue is full (broker unreachable for long) the
/// message is dropped, counted in `coinflux_producer_messages_total{outcome="dropped"}` and logged
/// (rate-limited).
public final class KafkaEventSink: MarketEventSink {
    /// The symbol whose price is the KRW-per-USDT rate.
    public static let fxSymbol = Symbol(base: "USDT", quote: "KRW")

    private struct TopicCounters {
        let queued: Counter
        let dropped: Counter
    }

    private let producer: KafkaProducer
    private let ticksTopic: String
    private let fxTopic: String
    private let ticks: TopicCounters
    private let fx: TopicCounters
    private let problems: RateLimitedLog

    public init(producer: KafkaProducer, ticksTopic: String, fxTopic: String, metrics: Metrics, logger: Logger) {
        self.producer = producer
        self.ticksTopic = ticksTopic
        self.fxTopic = fxTopic
        ticks = TopicCounters(queued: metrics.counter(MetricCatalogue.producerMessages, ticksTopic, "queued"),
                              dropped: metrics.counter(MetricCatalogue.producerMessages, ticksTopic, "dropped"))
        fx = TopicCounters(queued: metrics.counter(MetricCatalogue.producerMessages, fxTopic, "queued"),
                           dropped: metrics.counter(MetricCatalogue.producerMessages, fxTopic, "dropped"))
        problems = RateLimitedLog(logger: logger)
    }

    public func publish(_ events: [MarketEvent]) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        for event in events {
            buffer.removeAll(keepingCapacity: true)
            do {
                try EventCodec.encode(event, into: &buffer)
            } catch {
                ticks.dropped.increment()
                problems.warning("dropped an event that cannot be encoded", metadata: ["error": "\(error)", "exchange": "\(event.exchange.rawValue)"])
                continue
            }
            let key = EventCodec.key(for: event)
            send(buffer, key: key, to: ticksTopic, counters: ticks)
            if event.symbol == Self.fxSymbol {
                send(buffer, key: key, to: fxTopic, counters: fx)
            }
        }
    }

    private func send(_ value: [UInt8], key: String, to topic: String, counters: TopicCounters) {
        do {
            try producer.send(topic: topic, key: key, value: value)
            counters.queued.increment()
        } catch {
            counters.dropped.increment()
            problems.warning("Kafka refused a message; dropped", metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
    }
}
