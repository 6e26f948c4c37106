import CoinfluxCore
import Collector
import Kafka
import Logging
import Telemetry
import TestSupport
import Testing

/// The sink's records other than events (books, gaps, statuses, FX rates) against a real broker:
/// each encodable one is queued on its topic, and one that cannot be encoded (a number that is not
/// finite) is refused and counted as dropped on that topic, not sent.
@Suite("Kafka event sink records", .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
struct KafkaEventSinkTests {
    @Test func encodableRecordsAreQueuedAndOthersCountedAsDropped() async throws {
        let broker = try TestServices.require(TestServices.kafkaVariable)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [broker]))
        let metrics = Metrics()
        let sink = KafkaEventSink(producer: producer, ticksTopic: "it.sink.ticks", fxTopic: "it.sink.fx", booksTopic: "it.sink.books",
                                  metrics: metrics, logger: Logger(label: "test.sink"))
        let btc = Symbol(base: "BTC", quote: "KRW")
        func book(_ price: Double) -> BookUpdate {
            BookUpdate(kind: .snapshot, exchange: .upbit, symbol: btc, bids: [BookLevel(price: price, size: 1)], asks: [],
                       updateID: nil, eventTimeNanos: 1, receiveTimeNanos: 1)
        }
        let status = MarketStatus(exchange: .upbit, symbol: btc, flags: MarketFlags(warning: true), observedNanos: 1)
        let badStatus = MarketStatus(exchange: .upbit, symbol: Symbol(base: "BT C", quote: "KRW"), flags: .none, observedNanos: 1)
        #expect(sink.publish(book(100)) && !sink.publish(book(.nan)))
        #expect(sink.publish(status) && !sink.publish(badStatus))
        #expect(sink.publish(FXRate(krwPerUSD: 1_380, quotedNanos: 0, observedNanos: 1)))
        #expect(!sink.publish(FXRate(krwPerUSD: .infinity, quotedNanos: 0, observedNanos: 1)))
        func messages(_ topic: String, _ outcome: String) -> Double? {
            metricValue(metrics, "coinflux_producer_messages_total", ["topic": topic, "outcome": outcome])
        }
        #expect(messages("it.sink.books", "queued") == 1 && messages("it.sink.books", "dropped") == 1)
        #expect(messages("it.sink.ticks", "queued") == 1 && messages("it.sink.ticks", "dropped") == 1)
        #expect(messages("it.sink.fx", "queued") == 1 && messages("it.sink.fx", "dropped") == 1)
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
    }
}
