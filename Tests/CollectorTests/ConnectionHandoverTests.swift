@testable import Collector
import CoinfluxCore
import Testing

@Suite("Connection handover")
struct ConnectionHandoverTests {
    func trade(_ base: String, id: String?) -> MarketEvent {
        MarketEvent(kind: .trade, exchange: .binance, symbol: Symbol(base: base, quote: "USDT"), price: 1, size: 1,
                    eventTimeNanos: 1, receiveTimeNanos: 1, tradeID: id)
    }

    func ticker(_ base: String, at time: Int64) -> MarketEvent {
        MarketEvent(kind: .ticker, exchange: .binance, symbol: Symbol(base: base, quote: "USDT"), price: 1,
                    eventTimeNanos: time, receiveTimeNanos: time)
    }

    @Test("the successor's events wait until the old connection ended, then go on less what the old one delivered: trades by id, tickers by time")
    func relayOrdersTheOverlap() {
        var relay = HandoverRelay()
        relay.start(1)
        #expect(relay.route([trade("BTC", id: "10")], receivedAt: 1, from: 1).count == 1)
        relay.open(successor: 2)
        // The successor subscribed: it receives 10 (the snapshot of the latest trade), 12 and a
        // ticker, while 11 (sent to the old connection before) and 12 again arrive on the old one.
        #expect(relay.route([trade("BTC", id: "10"), trade("BTC", id: "12"), ticker("BTC", at: 5)], receivedAt: 2, from: 2).isEmpty)
        #expect(relay.route([trade("BTC", id: "11")], receivedAt: 3, from: 1).map(\.events) == [[trade("BTC", id: "11")]])
        #expect(relay.route([trade("BTC", id: "12"), ticker("BTC", at: 4)], receivedAt: 4, from: 1).count == 1)
        #expect(relay.route([trade("BTC", id: "13"), trade("ETH", id: "12"), ticker("BTC", at: 6)], receivedAt: 5, from: 2).isEmpty)
        let released = relay.promoteSuccessor()
        // 10, 12 and the old ticker went already; the rest keeps its batches and receive times.
        #expect(released == [HandoverRelay.Batch(events: [ticker("BTC", at: 5)], receivedAt: 2),
                             HandoverRelay.Batch(events: [trade("BTC", id: "13"), trade("ETH", id: "12"), ticker("BTC", at: 6)], receivedAt: 5)])
        // Now current: its events go on at once; the old session's stragglers are dropped.
        #expect(relay.route([trade("BTC", id: "14")], receivedAt: 6, from: 2).count == 1)
        #expect(relay.route([trade("BTC", id: "14")], receivedAt: 6, from: 1).isEmpty)
        // The next successor's snapshot repeats ETH's 12, released above: dropped too.
        relay.open(successor: 3)
        #expect(relay.route([trade("ETH", id: "12"), trade("ETH", id: "13")], receivedAt: 7, from: 3).isEmpty)
        #expect(relay.promoteSuccessor().map(\.events) == [[trade("ETH", id: "13")]])
    }

    @Test("frames of the overlap the successor receives after taking over are dropped too, up to its first new event of each series")
    func relayDropsTheOverlapArrivingLate() {
        var relay = HandoverRelay()
        relay.start(1)
        relay.open(successor: 2)
        // The old connection delivers 11, 12 and the ticker at 4; the successor has only 11 and
        // the ticker at 3 when the old one ends.
        #expect(relay.route([trade("BTC", id: "11"), trade("BTC", id: "12"), ticker("BTC", at: 4)], receivedAt: 1, from: 1).count == 1)
        #expect(relay.route([trade("BTC", id: "11"), ticker("BTC", at: 3)], receivedAt: 2, from: 2).isEmpty)
        #expect(relay.promoteSuccessor().isEmpty)
        // 12 and the ticker at 4 reach the successor only now: delivered already, dropped.
        #expect(relay.route([trade("BTC", id: "12"), ticker("BTC", at: 4)], receivedAt: 3, from: 2).isEmpty)
        #expect(relay.route([trade("BTC", id: "13"), ticker("BTC", at: 5)], receivedAt: 4, from: 2).map(\.events)
            == [[trade("BTC", id: "13"), ticker("BTC", at: 5)]])
        // Past the overlap the stream goes on as it comes, without comparing with the old one.
        #expect(relay.route([trade("BTC", id: "12"), ticker("BTC", at: 4)], receivedAt: 5, from: 2).count == 1)
    }

    @Test("a successor that failed is forgotten with what it received; the old connection goes on")
    func relayAbandonsAFailedSuccessor() {
        var relay = HandoverRelay()
        relay.start(1)
        relay.open(successor: 2)
        #expect(relay.route([trade("BTC", id: "12")], receivedAt: 1, from: 2).isEmpty)
        relay.abandonSuccessor()
        #expect(relay.promoteSuccessor().isEmpty)
        #expect(relay.route([trade("BTC", id: "12")], receivedAt: 2, from: 1).count == 1)
        #expect(relay.route([trade("BTC", id: "13")], receivedAt: 3, from: 2).isEmpty)
    }

    @Test("the waiter learns the first outcome; later ones change nothing; cancelling the wait settles it as failed")
    func handoverOutcome() async {
        let ready = ConnectionHandover()
        async let outcome = ready.outcome()
        ready.settle(.ready)
        ready.settle(.failed)
        #expect(await outcome == .ready)
        #expect(await ready.outcome() == .ready)

        let abandoned = ConnectionHandover()
        let waiter = Task { await abandoned.outcome() }
        waiter.cancel()
        #expect(await waiter.value == .failed)
    }
}
