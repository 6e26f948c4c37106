@testable import Collector
import CoinfluxCore
import Exchanges
import Testing

@Suite struct BookBoardTests {
    static let btc = Symbol(base: "BTC", quote: "USDT")
    static let second: Int64 = 1_000_000_000

    static func update(_ kind: BookUpdate.Kind, bids: [(Double, Double)], asks: [(Double, Double)] = [],
                       first: Int64? = nil, id: Int64?, at time: Int64) -> BookUpdate {
        BookUpdate(kind: kind, exchange: .binance, symbol: btc, bids: bids.map { BookLevel(price: $0.0, size: $0.1) },
                   asks: asks.map { BookLevel(price: $0.0, size: $0.1) }, firstUpdateID: first, updateID: id,
                   eventTimeNanos: time, receiveTimeNanos: time)
    }

    static func published(_ actions: [BookBoard.Action]) -> [BookUpdate] {
        actions.compactMap { if case .publish(let book) = $0 { book } else { nil } }
    }

    /// Binance: the first buffered delta asks for the snapshot, the snapshot publishes the best
    /// `depth` levels, later changes wait for the publish interval, a gap waits for a new snapshot.
    @Test func binanceBookFromSnapshotToPublishAndBack() {
        var board = BookBoard(exchange: .binance, symbols: [Self.btc], sequencing: .snapshotThenRangedDeltas, depth: 2,
                              publishIntervalNanos: Self.second)
        let first = board.receive(Self.update(.delta, bids: [(99, 1)], first: 10, id: 11, at: 1), now: 1)
        #expect(first.0 == .buffered && first.1 == [.requestSnapshot(Self.btc)])
        #expect(board.receive(Self.update(.delta, bids: [(98, 1)], first: 12, id: 12, at: 2), now: 2).1.isEmpty)
        let snapshot = board.receiveSnapshot(
            Self.update(.snapshot, bids: [(100, 1), (97, 1), (96, 1)], asks: [(101, 1)], id: 10, at: 3), now: 3)
        #expect(Self.published(snapshot) == [BookUpdate(
            kind: .snapshot, exchange: .binance, symbol: Self.btc,
            bids: [BookLevel(price: 100, size: 1), BookLevel(price: 99, size: 1)], asks: [BookLevel(price: 101, size: 1)],
            updateID: 12, eventTimeNanos: 2, receiveTimeNanos: 3
        )])
        #expect(board.synchronizedCount == 1)
        // Within the interval: held back, then flushed.
        #expect(Self.published(board.receive(Self.update(.delta, bids: [(100, 5)], first: 13, id: 13, at: 4), now: 4).1).isEmpty)
        #expect(board.flush(now: Self.second / 2, staleAfterNanos: 60 * Self.second).isEmpty)
        let flushed = Self.published(board.flush(now: Self.second + 3, staleAfterNanos: 60 * Self.second))
        #expect(flushed.map(\.bids.first) == [BookLevel(price: 100, size: 5)])
        #expect(board.flush(now: 3 * Self.second, staleAfterNanos: 60 * Self.second).isEmpty)
        // A gap: out of sync, nothing published; the next delta asks for a snapshot again.
        let gap = board.receive(Self.update(.delta, bids: [(100, 6)], first: 20, id: 20, at: 5), now: 5)
        #expect(gap.1 == [.resynchronized(Self.btc, .sequenceGap)])
        #expect(board.synchronizedCount == 0)
        #expect(board.receive(Self.update(.delta, bids: [(100, 7)], first: 21, id: 21, at: 6), now: 6).1 == [.requestSnapshot(Self.btc)])
        #expect(board.snapshotFailed(Self.btc) == [.requestSnapshot(Self.btc)])
    }

    @Test func bybitGapResubscribesAndStaleBooksResync() {
        var board = BookBoard(exchange: .bybit, symbols: [Self.btc], sequencing: .streamedSnapshotThenDeltas, depth: 20, publishIntervalNanos: 0)
        #expect(Self.published(board.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], id: 5, at: 1), now: 1).1).count == 1)
        #expect(board.receive(Self.update(.delta, bids: [(100, 2)], id: 7, at: 2), now: 2).1 == [.resynchronized(Self.btc, .sequenceGap), .resubscribe(Self.btc)])
        #expect(Self.published(board.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], id: 9, at: 3), now: 3).1).count == 1)
        #expect(board.flush(now: 3 + 10 * Self.second, staleAfterNanos: 10 * Self.second).isEmpty)
        #expect(board.flush(now: 4 + 10 * Self.second, staleAfterNanos: 10 * Self.second) == [.resynchronized(Self.btc, .stale), .resubscribe(Self.btc)])
        // Markets the connection does not carry change nothing.
        var other = Self.update(.snapshot, bids: [(1, 1)], asks: [(2, 1)], id: 1, at: 1)
        other.symbol = Symbol(base: "ETH", quote: "USDT")
        #expect(board.receive(other, now: 5).1.isEmpty)
    }
}
