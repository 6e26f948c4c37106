import CoinfluxCore
import Testing

@testable import Collector

/// Gap detection from the events a feed hands on, with plain values.
@Suite("Series tracker")
struct SeriesTrackerTests {
    static let btc = Symbol(base: "BTC", quote: "USDT")
    static let eth = Symbol(base: "ETH", quote: "USDT")

    static func trade(_ symbol: Symbol = btc, id: Int64, at seconds: Int64) -> MarketEvent {
        MarketEvent(kind: .trade, exchange: .binance, symbol: symbol, price: 1, size: 1, eventTimeNanos: seconds * 1_000_000_000,
                    receiveTimeNanos: seconds * 1_000_000_000, tradeID: String(id))
    }

    static func ticker(_ symbol: Symbol = btc, at seconds: Int64) -> MarketEvent {
        MarketEvent(kind: .ticker, exchange: .binance, symbol: symbol, price: 1, eventTimeNanos: seconds * 1_000_000_000,
                    receiveTimeNanos: seconds * 1_000_000_000)
    }

    @Test("a connection down: each of its series gets one gap from its last event to its next, with the cause")
    func interruption() {
        let tracker = SeriesTracker(exchange: .binance, consecutiveIDs: true)
        #expect(tracker.record([Self.trade(id: 10, at: 100), Self.ticker(at: 101), Self.trade(Self.eth, id: 5, at: 102)], now: 0).isEmpty)
        tracker.interrupted([Self.btc], cause: .silence)
        tracker.interrupted([Self.btc], cause: .connection)  // still the first interruption
        let closed = tracker.record([Self.ticker(at: 130), Self.trade(id: 20, at: 131), Self.trade(Self.eth, id: 6, at: 132)], now: 0)
        #expect(closed.map(\.gap.channel) == [.ticker, .trade])
        #expect(closed.allSatisfy { $0.gap.cause == .silence && $0.gap.symbol == Self.btc })
        #expect(closed.map(\.gap.startNanos) == [101_000_000_000, 100_000_000_000])
        #expect(closed.map(\.gap.endNanos) == [130_000_000_000, 131_000_000_000])
        #expect(closed[1].idsBetween == 10...20, "the numbering tells what is missing")
        #expect(tracker.record([Self.trade(id: 21, at: 133)], now: 0).isEmpty, "closed once")
    }

    @Test("consecutive ids: a skipped id is a sequence gap; exchanges without consecutive ids never see one")
    func sequenceBreak() {
        let binance = SeriesTracker(exchange: .binance, consecutiveIDs: true)
        let closed = binance.record([Self.trade(id: 1, at: 1), Self.trade(id: 2, at: 2), Self.trade(id: 7, at: 3)], now: 0)
        #expect(closed.count == 1)
        #expect(closed.first?.gap.cause == .sequence)
        #expect(closed.first?.idsBetween == 2...7)
        let other = SeriesTracker(exchange: .upbit, consecutiveIDs: false)
        #expect(other.record([Self.trade(id: 1, at: 1), Self.trade(id: 9, at: 2)], now: 0).isEmpty)
    }

    @Test("events the sink refused open a producer gap that the next event it takes closes")
    func producerDrops() {
        let tracker = SeriesTracker(exchange: .binance, consecutiveIDs: true)
        _ = tracker.record([Self.trade(id: 1, at: 1)], now: 0)
        #expect(tracker.record([Self.trade(id: 2, at: 2), Self.trade(id: 3, at: 3)], refused: [0, 1], now: 0).isEmpty)
        let closed = tracker.record([Self.trade(id: 4, at: 4)], now: 0)
        #expect(closed.map(\.gap.cause) == [.producer])
        #expect(closed.first?.gap.startNanos == 1_000_000_000 && closed.first?.gap.endNanos == 4_000_000_000)
        #expect(closed.first?.idsBetween == 1...4)
        let failed = tracker.failedDelivery(Self.trade(id: 9, at: 9), now: 0)
        #expect(failed.gap.cause == .producer && failed.gap.startNanos == failed.gap.endNanos && failed.idsBetween == 8...10)
    }

    @Test("a restart: the last events in Kafka open gaps to this run's first; none when this run was first")
    func restart() {
        let tracker = SeriesTracker(exchange: .binance, consecutiveIDs: true)
        _ = tracker.record([Self.trade(Self.eth, id: 50, at: 200)], now: 0)
        let immediate = tracker.resume(from: [Self.trade(id: 10, at: 100), Self.trade(Self.eth, id: 40, at: 150),
                                              Self.ticker(at: 300), MarketEvent(kind: .ticker, exchange: .upbit, symbol: Self.btc, price: 1,
                                                                                eventTimeNanos: 0, receiveTimeNanos: 0)], now: 0)
        #expect(immediate.map(\.gap.symbol) == [Self.eth], "ETH was received already: its gap is known at once")
        #expect(immediate.first?.gap.startNanos == 150_000_000_000 && immediate.first?.gap.endNanos == 200_000_000_000)
        #expect(immediate.first?.gap.cause == .restart)
        let closed = tracker.record([Self.trade(id: 15, at: 120), Self.ticker(at: 301)], now: 0)
        #expect(closed.map(\.gap.channel) == [.trade, .ticker])
        #expect(closed.first?.idsBetween == 10...15)
    }

    @Test("a pending gap closed by the trade or ticker last had (Upbit's snapshot, a second collector's resume) records nothing")
    func repeatsCloseNoGap() {
        let tracker = SeriesTracker(exchange: .upbit, consecutiveIDs: false)
        _ = tracker.resume(from: [Self.trade(id: 10, at: 100), Self.ticker(at: 300)], now: 0)
        #expect(tracker.record([Self.trade(id: 10, at: 100), Self.ticker(at: 300)], now: 0).isEmpty)
        // Then a drop: the snapshot on resubscription repeats the last trade; a new one after a
        // later drop opens a gap as before.
        _ = tracker.record([Self.trade(id: 11, at: 110)], now: 0)
        tracker.interrupted([Self.btc], cause: .connection)
        #expect(tracker.record([Self.trade(id: 11, at: 110)], now: 0).isEmpty)
        tracker.interrupted([Self.btc], cause: .connection)
        #expect(tracker.record([Self.trade(id: 12, at: 130)], now: 0).map(\.gap.cause) == [.connection])
    }

    @Test("a recovered trade is new once; one received live is not")
    func recoveredTrades() {
        let tracker = SeriesTracker(exchange: .binance, consecutiveIDs: true)
        _ = tracker.record([Self.trade(id: 1, at: 1)], now: 0)
        #expect(!tracker.isNew(Self.trade(id: 1, at: 1)))
        #expect(tracker.isNew(Self.trade(id: 2, at: 2)))
        #expect(!tracker.isNew(Self.trade(id: 2, at: 2)))
    }

    @Test("recent ids are bounded: the oldest are forgotten first")
    func boundedIDs() {
        var ids = RecentIDs()
        for index in 0..<(RecentIDs.capacity + 10) { _ = ids.insert(String(index)) }
        let forgotten = ids.insert("5")
        #expect(forgotten, "among the first ten, forgotten")
        let kept = !ids.insert(String(RecentIDs.capacity + 9))
        #expect(kept, "the newest is kept")
    }
}
