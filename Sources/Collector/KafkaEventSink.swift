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
        publish(.book(book), to: books)
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
        publish(.gap(gap), to: ticks)
    }

    @discardableResult
    public func publish(_ status: MarketStatus) -> Bool {
        publish(.status(status), to: ticks)
    }

    @discardableResult
    public func publish(_ rate: FXRate) -> Bool {
        publish(.fx(rate), to: fx)
    }

    /// Encodes one record (a book, a gap, a status, an FX rate) and enqueues it keyed by its base
    /// asset; a record that cannot be encoded is counted as dropped and logged (rate-limited).
    @discardableResult
    private func publish(_ record: MarketRecord, to destination: Destination) -> Bool {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.encodeCapacity)
        do {
            try EventCodec.encode(record, into: &buffer)
        } catch {
            destination.dropped.increment()
            let (what, exchange) = Self.describe(record)
            var metadata: Logger.Metadata = ["error": "\(error)"]
            if let exchange { metadata["exchange"] = "\(exchange.rawValue)" }
            problems.warning("dropped \(what) that cannot be encoded", metadata: metadata)
            return false
        }
        return send(buffer, key: EventCodec.key(for: record), to: destination)
    }

    /// What a record is, for a log line, and its exchange if it has one.
    private static func describe(_ record: MarketRecord) -> (String, Exchange?) {
        switch record {
        case .event(let event): ("an event", event.exchange)
        case .gap(let gap): ("a gap record", gap.exchange)
        case .book(let book): ("an order book", book.exchange)
        case .status(let status): ("a market status", status.exchange)
        case .fx: ("an FX rate", nil)
        }
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
