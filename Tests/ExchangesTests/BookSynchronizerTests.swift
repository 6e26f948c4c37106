import CoinfluxCore
import Exchanges
import Testing

@Suite struct BookSynchronizerTests {
    static let symbol = Symbol(base: "BTC", quote: "USDT")

    static func update(
        _ kind: BookUpdate.Kind, bids: [(Double, Double)] = [], asks: [(Double, Double)] = [],
        first: Int64? = nil, id: Int64? = nil, time: Int64 = 0
    ) -> BookUpdate {
        BookUpdate(
            kind: kind, exchange: .binance, symbol: symbol,
            bids: bids.map { BookLevel(price: $0.0, size: $0.1) }, asks: asks.map { BookLevel(price: $0.0, size: $0.1) },
            firstUpdateID: first, updateID: id, eventTimeNanos: time, receiveTimeNanos: time
        )
    }

    /// Binance's documented procedure: buffer, refetch a snapshot older than the first `U`, drop
    /// deltas with `u` ≤ `lastUpdateId`, apply the rest, restart on `U` > local + 1.
    @Test func binanceDiffDepthFollowsTheDocumentedProcedure() {
        var sync = BookSynchronizer(sequencing: .snapshotThenRangedDeltas)
        #expect(sync.receive(Self.update(.delta, bids: [(99, 1)], first: 157, id: 160)) == .buffered)
        #expect(sync.receive(Self.update(.delta, asks: [(101, 0)], first: 161, id: 163)) == .buffered)
        #expect(sync.receive(Self.update(.delta, bids: [(98, 4)], first: 164, id: 164)) == .buffered)
        #expect(!sync.isSynchronized)

        // lastUpdateId 156 < first U 157: get another snapshot; the deltas stay buffered.
        #expect(sync.receiveSnapshot(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 2)], id: 156)) == .resynchronize(.snapshotMismatch))
        // lastUpdateId 161: the first delta (u 160) is dropped, the second (161…163) straddles it.
        let outcome = sync.receiveSnapshot(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 2), (102, 3)], id: 161))
        #expect(outcome == .updated)
        #expect(sync.isSynchronized && sync.updateID == 164)
        #expect(sync.book == OrderBook(
            bids: [BookLevel(price: 100, size: 1), BookLevel(price: 98, size: 4)], asks: [BookLevel(price: 102, size: 3)]
        ))

        #expect(sync.receive(Self.update(.delta, bids: [(97, 1)], first: 160, id: 164)) == .ignored)
        #expect(sync.receive(Self.update(.delta, bids: [(97, 1)], first: 165, id: 170)) == .updated)
        // 171 is missing: U 172 > 170 + 1.
        #expect(sync.receive(Self.update(.delta, bids: [(96, 1)], first: 172, id: 172)) == .resynchronize(.sequenceGap))
        #expect(!sync.isSynchronized && sync.book.isEmpty)
        #expect(sync.receive(Self.update(.delta, bids: [(96, 1)], first: 173, id: 173)) == .buffered)
    }

    @Test func binanceBufferedDeltaAfterTheSnapshotThatBreaksTheSequenceResyncs() {
        var sync = BookSynchronizer(sequencing: .snapshotThenRangedDeltas)
        _ = sync.receive(Self.update(.delta, bids: [(99, 1)], first: 10, id: 12))
        _ = sync.receive(Self.update(.delta, bids: [(99, 2)], first: 15, id: 16))
        #expect(sync.receiveSnapshot(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], id: 11)) == .resynchronize(.sequenceGap))
        #expect(!sync.isSynchronized)
    }

    @Test func bybitSnapshotThenConsecutiveDeltas() {
        var sync = BookSynchronizer(sequencing: .streamedSnapshotThenDeltas)
        #expect(sync.receive(Self.update(.delta, bids: [(99, 1)], id: 5)) == .ignored)
        #expect(sync.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], id: 18_521_288)) == .updated)
        #expect(sync.receive(Self.update(.delta, bids: [(100, 0), (99, 2)], id: 18_521_289)) == .updated)
        #expect(sync.receive(Self.update(.delta, bids: [(98, 2)], id: 18_521_289)) == .ignored)
        #expect(sync.book.bids == [BookLevel(price: 99, size: 2)])
        #expect(sync.receive(Self.update(.delta, bids: [(98, 2)], id: 18_521_291)) == .resynchronize(.sequenceGap))
        #expect(sync.receive(Self.update(.delta, bids: [(98, 2)], id: 18_521_292)) == .ignored)
        #expect(sync.receive(Self.update(.snapshot, bids: [(90, 1)], asks: [(91, 1)], id: 18_521_300)) == .updated)
        // u = 1: Bybit restarted its service; the message is a snapshot whatever its type.
        #expect(sync.receive(Self.update(.delta, bids: [(80, 1)], asks: [(81, 1)], id: 1)) == .updated)
        #expect(sync.book.bids == [BookLevel(price: 80, size: 1)] && sync.updateID == 1)
        #expect(sync.receive(Self.update(.delta, asks: [(81, 0), (82, 3)], id: 2)) == .updated)
    }

    @Test func snapshotExchangesKeepTheNewestAndResyncOnACrossedBook() {
        var sync = BookSynchronizer(sequencing: .snapshots)
        #expect(sync.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], time: 10)) == .updated)
        #expect(sync.receive(Self.update(.snapshot, bids: [(50, 1)], asks: [(51, 1)], time: 9)) == .ignored)
        #expect(sync.book.bestBid?.price == 100)
        #expect(sync.receive(Self.update(.snapshot, bids: [(102, 1)], asks: [(101, 1)], time: 11)) == .resynchronize(.crossed))
        #expect(!sync.isSynchronized)
        // Out of sync, the next snapshot is taken whatever its time.
        #expect(sync.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], time: 8)) == .updated)
        // Coinone's `id`: compared instead of the time where both messages have one.
        var byID = BookSynchronizer(sequencing: .snapshots)
        _ = byID.receive(Self.update(.snapshot, bids: [(1, 1)], asks: [(2, 1)], id: 1_693_560_155_038_001, time: 5))
        #expect(byID.receive(Self.update(.snapshot, bids: [(1, 2)], asks: [(2, 1)], id: 1_693_560_155_038_000, time: 6)) == .ignored)
    }

    @Test func aCrossingDeltaResyncs() {
        var sync = BookSynchronizer(sequencing: .streamedSnapshotThenDeltas)
        _ = sync.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], id: 7))
        #expect(sync.receive(Self.update(.delta, bids: [(101.5, 1)], id: 8)) == .resynchronize(.crossed))
        #expect(!sync.isSynchronized && sync.book.isEmpty)
    }

    @Test func aSilentBookGoesStale() {
        var sync = BookSynchronizer(sequencing: .snapshots)
        #expect(sync.checkStaleness(nowNanos: 100, maxAgeNanos: 10) == nil)
        _ = sync.receive(Self.update(.snapshot, bids: [(100, 1)], asks: [(101, 1)], time: 50))
        #expect(sync.checkStaleness(nowNanos: 60, maxAgeNanos: 10) == nil)
        #expect(sync.checkStaleness(nowNanos: 61, maxAgeNanos: 10) == .resynchronize(.stale))
        #expect(!sync.isSynchronized)
        #expect(sync.checkStaleness(nowNanos: 200, maxAgeNanos: 10) == nil)
    }

    @Test func tooManyDeltasWaitingForTheSnapshotResync() {
        var sync = BookSynchronizer(sequencing: .snapshotThenRangedDeltas)
        for id in 0..<Int64(BookSynchronizer.bufferLimit) {
            #expect(sync.receive(Self.update(.delta, first: id, id: id)) == .buffered)
        }
        #expect(sync.receive(Self.update(.delta, first: 1_000_000, id: 1_000_000)) == .resynchronize(.snapshotMismatch))
    }
}
