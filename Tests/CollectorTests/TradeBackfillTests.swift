import CoinfluxCore
import Exchanges
import Testing

@testable import Collector

/// The backfill's paging and repair verdicts, on scripted pages.
@Suite("Trade backfill")
struct TradeBackfillTests {
    static let symbol = Symbol(base: "BTC", quote: "KRW")

    /// A history of trades numbered 1...count, one per second from second 1.
    static func history(_ ids: ClosedRange<Int64>) -> [MarketEvent] {
        ids.map { id in
            MarketEvent(kind: .trade, exchange: .binance, symbol: symbol, price: Double(id), size: 1, eventTimeNanos: id * 1_000_000_000,
                        receiveTimeNanos: 0, tradeID: String(id), isBackfilled: true)
        }
    }

    static func closed(from start: Int64, to end: Int64, ids: ClosedRange<Int64>? = nil) -> SeriesTracker.ClosedGap {
        SeriesTracker.ClosedGap(gap: SeriesGap(channel: .trade, exchange: .binance, symbol: symbol, cause: .connection,
                                               startNanos: start * 1_000_000_000, endNanos: end * 1_000_000_000, recordedNanos: 0),
                                idsBetween: ids)
    }

    /// Serves `history` the way an exchange pages it; records the requests.
    final class Exchange: @unchecked Sendable {
        let history: [MarketEvent]
        let pageSize: Int
        var requests: [TradePage] = []

        init(history: [MarketEvent], pageSize: Int) {
            self.history = history
            self.pageSize = pageSize
        }

        func page(_ request: TradePage) throws -> TradeHistoryPage {
            requests.append(request)
            switch request {
            case .fromID(let id):
                return TradeHistoryPage(trades: Array(history.filter { Int64($0.tradeID!)! >= id }.prefix(pageSize)))
            case .newest:
                return newestFirst(history)
            case .olderThan(let cursor):
                return newestFirst(history.filter { Int64($0.tradeID!)! < Int64(cursor)! })
            }
        }

        private func newestFirst(_ trades: [MarketEvent]) -> TradeHistoryPage {
            let page = Array(trades.reversed().prefix(pageSize))
            return TradeHistoryPage(trades: page, olderCursor: page.count == pageSize ? page.last?.tradeID : nil)
        }
    }

    @Test("consecutive ids: exactly the missing ids are asked for, forward; all there is a full repair")
    func forwardByID() async {
        let exchange = Exchange(history: Self.history(1...100), pageSize: 10)
        let backfill = TradeBackfill(api: TradeHistoryAPI(paging: .fromID, pageSize: 10), maximumPages: 20)
        let outcome = await backfill.recover(Self.closed(from: 40, to: 65, ids: 40...65), fetch: exchange.page) { _ in true }
        #expect(outcome.trades.map(\.tradeID) == (41...64).map { String($0) })
        #expect(outcome.repair == .yes && outcome.unrecovered == 0 && !outcome.failed)
        #expect(exchange.requests == [.fromID(41), .fromID(51), .fromID(61)])
    }

    @Test("consecutive ids: history that no longer reaches the gap's start is a partial repair, the rest counted")
    func forwardShallow() async {
        let exchange = Exchange(history: Self.history(50...100), pageSize: 10)  // ids below 50 are gone
        let backfill = TradeBackfill(api: TradeHistoryAPI(paging: .fromID, pageSize: 10), maximumPages: 20)
        let outcome = await backfill.recover(Self.closed(from: 40, to: 65, ids: 40...65), fetch: exchange.page) { _ in true }
        #expect(outcome.trades.count == 15)
        #expect(outcome.repair == .partly && outcome.unrecovered == 9)
    }

    @Test("cursor paging reads back until a page reaches the gap's start; trades received already are left out")
    func backwardByCursor() async {
        let exchange = Exchange(history: Self.history(1...100), pageSize: 20)
        let backfill = TradeBackfill(api: TradeHistoryAPI(paging: .olderThanCursor, pageSize: 20), maximumPages: 20)
        let outcome = await backfill.recover(Self.closed(from: 30, to: 45), fetch: exchange.page) { $0.tradeID != "30" && $0.tradeID != "45" }
        #expect(outcome.trades.map(\.tradeID) == (31...44).map { String($0) })
        #expect(outcome.duplicates == 2)
        #expect(outcome.repair == .yes && outcome.unrecovered == nil)
        #expect(exchange.requests == [.newest, .olderThan(cursor: "81"), .olderThan(cursor: "61"), .olderThan(cursor: "41")])
    }

    @Test("one page only (Bybit, Coinone): a gap older than the page is repaired partly, or not at all")
    func newestOnly() async {
        let exchange = Exchange(history: Self.history(1...100), pageSize: 60)  // the page holds 41...100
        let backfill = TradeBackfill(api: TradeHistoryAPI(paging: .newestOnly, pageSize: 60), maximumPages: 20)
        let partly = await backfill.recover(Self.closed(from: 30, to: 50), fetch: exchange.page) { _ in true }
        #expect(partly.trades.count == 10 && partly.repair == .partly)
        let none = await backfill.recover(Self.closed(from: 10, to: 20), fetch: exchange.page) { _ in true }
        #expect(none.trades.isEmpty && none.repair == .no)
        let young = Exchange(history: Self.history(1...30), pageSize: 60)  // shorter than a page: everything there is
        let whole = await backfill.recover(Self.closed(from: 5, to: 9), fetch: young.page) { _ in true }
        #expect(whole.trades.count == 5 && whole.repair == .yes)
    }

    @Test("a failing fetch ends the backfill with what it reached, and says so; the page limit bounds a long gap")
    func failuresAndLimits() async {
        struct Refused: Error {}
        let backfill = TradeBackfill(api: TradeHistoryAPI(paging: .olderThanCursor, pageSize: 10), maximumPages: 3)
        let failed = await backfill.recover(Self.closed(from: 30, to: 45), fetch: { _ in throw Refused() }) { _ in true }
        #expect(failed.failed && failed.repair == .no && failed.pages == 0)
        let exchange = Exchange(history: Self.history(1...100), pageSize: 10)
        let limited = await backfill.recover(Self.closed(from: 5, to: 95), fetch: exchange.page) { _ in true }
        #expect(limited.pages == 3 && limited.repair == .partly && limited.trades.count == 25)
    }

    @Test("a cursor-paged exchange's short page that stops short of the gap (its UTC day ended) is not taken as the whole history")
    func dayBoundary() async {
        let today = Self.history(50...100)  // the exchange pages within one day: nothing before id 50 on this page chain
        let exchange = Exchange(history: today, pageSize: 500)
        let backfill = TradeBackfill(api: TradeHistoryAPI(paging: .olderThanCursor, pageSize: 500), maximumPages: 20)
        let outcome = await backfill.recover(Self.closed(from: 40, to: 60), fetch: exchange.page) { _ in true }
        #expect(outcome.trades.count == 11)
        #expect(outcome.repair == .partly, "trades 41...49 are on the previous day's pages")
    }
}
