import CoinfluxCore
import Kafka
import Logging
import Telemetry

/// Produces events to Kafka: every event to the ticks topic keyed by base asset, the
/// KRW-per-USDT rates (`USDT-KRW` tickers) also to the FX topic, which every processor reads in
/// full, as are the FX source's USD/KRW rates, synchronised order books to the books topic, keyed
/// by base asset too, and markets' status flags to the ticks topic.
///
/// Never blocks: when librdkafka's bounded queue is full (broker unreachable for long) the
/// message is dropped, counted in `coinflux_producer_messages_total{outcome="dropped"}` and logged
/// (rate-limited).
public final class KafkaEventSink: MarketEventSink, BookSink, MarketStatusSink, FXRateSink {
    /// Room reserved for encoding a frame's events, one at a time: above the longest events (a
    /// ticker with every optional field at 17 significant digits is about 500 bytes), so the buffer
    /// does not grow while encoding.
    static let encodeCapacity = 1_024

    /// Where messages to one topic go, and their counters. A class: handed to `send` for every
    /// message without copying its fields.
    private final class Destination: Sendable {
        /// The topic, looked up once, or nil when librdkafka refused its name (every send by name
        /// then fails and is counted as dropped).
        let topic: KafkaProducer.Topic?
        let name: String
        let queued: Counter
        let dropped: Counter

        init(_ name: String, producer: KafkaProducer, metrics: Metrics) {
            topic = try? producer.topic(name)
            self.name = name
            queued = metrics.counter(MetricCatalogue.producerMessages, name, "queued")
            dropped = metrics.counter(MetricCatalogue.producerMessages, name, "dropped")
        }
    }

    private let producer: KafkaProducer
    private let ticks: Destination
    private let fx: Destination
    private let books: Destination
    private let problems: RateLimitedLog

    public init(producer: KafkaProducer, ticksTopic: String, fxTopic: String, booksTopic: String = "market.books", metrics: Metrics, logger: Logger) {
        self.producer = producer
        ticks = Destination(ticksTopic, producer: producer, metrics: metrics)
        fx = Destination(fxTopic, producer: producer, metrics: metrics)
        books = Destination(booksTopic, producer: producer, metrics: metrics)
        problems = RateLimitedLog(logger: logger)
    }

    @discardableResult
    public func publish(_ book: BookUpdate) -> Bool {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.encodeCapacity)
        do {
            try EventCodec.encode(book, into: &buffer)
        } catch {
            books.dropped.increment()
            problems.warning("dropped an order book that cannot be encoded", metadata: ["error": "\(error)", "exchange": "\(book.exchange.rawValue)"])
            return false
        }
        return send(buffer, key: EventCodec.key(for: book), to: books)
    }

    @discardableResult
    public func publish(_ events: [MarketEvent]) -> [Int] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.encodeCapacity)
        var refused: [Int] = []
        for (index, event) in events.enumerated() {
            buffer.removeAll(keepingCapacity: true)
            do {
                try EventCodec.encode(event, into: &buffer)
            } catch {
                ticks.dropped.increment()
                problems.warning("dropped an event that cannot be encoded", metadata: ["error": "\(error)", "exchange": "\(event.exchange.rawValue)"])
                refused.append(index)
                continue
            }
            let key = EventCodec.key(for: event)
            if !send(buffer, key: key, to: ticks) { refused.append(index) }
            if event.krwPerUSDT != nil {
                send(buffer, key: key, to: fx)
            }
        }
        return refused
    }

    public func publish(_ gap: SeriesGap) {
        var buffer: [UInt8] = []
        do {
            try EventCodec.encode(gap, into: &buffer)
        } catch {
            ticks.dropped.increment()
            problems.warning("dropped a gap record that cannot be encoded", metadata: ["error": "\(error)", "exchange": "\(gap.exchange.rawValue)"])
            return
        }
        send(buffer, key: EventCodec.key(for: MarketRecord.gap(gap)), to: ticks)
    }

    @discardableResult
    public func publish(_ status: MarketStatus) -> Bool {
        var buffer: [UInt8] = []
        do {
            try EventCodec.encode(status, into: &buffer)
        } catch {
            ticks.dropped.increment()
            problems.warning("dropped a market status that cannot be encoded", metadata: ["error": "\(error)", "exchange": "\(status.exchange.rawValue)"])
            return false
        }
        return send(buffer, key: EventCodec.key(for: MarketRecord.status(status)), to: ticks)
    }

    @discardableResult
    public func publish(_ rate: FXRate) -> Bool {
        var buffer: [UInt8] = []
        do {
            try EventCodec.encode(rate, into: &buffer)
        } catch {
            fx.dropped.increment()
            problems.warning("dropped an FX rate that cannot be encoded", metadata: ["error": "\(error)"])
            return false
        }
        return send(buffer, key: EventCodec.key(for: MarketRecord.fx(rate)), to: fx)
    }

    /// Enqueues one message; false (counted as dropped) when librdkafka refused it.
    @discardableResult
    private func send(_ value: [UInt8], key: String, to destination: Destination) -> Bool {
        do {
            if let topic = destination.topic {
                try producer.send(to: topic, key: key, value: value)
            } else {
                try producer.send(topic: destination.name, key: key, value: value)
            }
            destination.queued.increment()
            return true
        } catch {
            destination.dropped.increment()
            problems.warning("Kafka refused a message; dropped", metadata: ["topic": "\(destination.name)", "error": "\(error)"])
            return false
        }
    }
}
