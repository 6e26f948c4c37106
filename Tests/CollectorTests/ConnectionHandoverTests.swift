@testable import Collector
import CoinfluxCore
import Testing

@Suite("Connection handover")
struct ConnectionHandoverTests {
    func trade(_ base: String, id: String?) -> MarketEvent {
        MarketEvent(kind: .trade, exchange: .binance, symbol: Symbol(base: base, quote: "USDT"), price: 1, size: 1,
                    eventTimeNanos: 1, receiveTimeNanos: 1, tradeID: id)
    }

    @Test("trades already let through are dropped, per symbol; tickers and trades without a numeric id pass")
    func tradeFilterDropsRepeats() {
        var filter = TradeIDFilter()
        var first = [trade("BTC", id: "10"), trade("BTC", id: "11"), trade("ETH", id: "5")]
        filter.admit(&first)
        #expect(first.count == 3)
        // The second connection delivers 11 again, then new trades; ETH's 5 again; an id that is no number.
        var overlap = [trade("BTC", id: "11"), trade("BTC", id: "12"), trade("ETH", id: "5"), trade("ETH", id: "x"),
                       MarketEvent(kind: .ticker, exchange: .binance, symbol: Symbol(base: "BTC", quote: "USDT"), price: 1,
                                   eventTimeNanos: 1, receiveTimeNanos: 1)]
        filter.admit(&overlap)
        #expect(overlap.map(\.tradeID) == ["12", "x", nil])
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
