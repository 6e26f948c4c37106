import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import Synchronization
import Telemetry
import Testing

/// Collects the books a book feed publishes.
final class RecordingBookSink: BookSink {
    private let recorded = Mutex<[BookUpdate]>([])

    func publish(_ book: BookUpdate) -> Bool {
        recorded.withLock { $0.append(book) }
        return true
    }

    var books: [BookUpdate] { recorded.withLock { $0 } }
}

/// The order-book feed against the simulator over real sockets: what it publishes is the book the
/// simulator served, and a sequence break or a crossed book makes it resynchronise.
@Suite("Order-book feed", .serialized)
struct BookFeedTests {
    static let depth = 20
    static let booksPerSecond = 10.0

    static func adapter(_ exchange: Exchange) -> any OrderBookAdapter {
        // Every exchange's v1 adapter keeps books.
        ExchangeRegistry.adapter(for: exchange) as! any OrderBookAdapter
    }

    static func feed(_ exchange: Exchange, port: Int, sink: RecordingBookSink, metrics: Metrics) -> BookFeed {
        let urls = simulatorURLs(exchange, port: port)
        return BookFeed(adapter: adapter(exchange), webSocketURL: urls.webSocket, restURL: urls.rest, symbols: [testSymbols(exchange)[0]],
                        settings: testSettings(), books: BookSettings(depth: depth, publishInterval: .milliseconds(100)),
                        sink: sink, restPacer: RequestPacer(requestsPerSecond: 20), metrics: metrics, logger: Logger(label: "test.books"))
    }

    /// Why `book` differs from what the simulator served at its tick (the best `depth` levels a
    /// side the exchange sends), or nil when it is the same. Books stamped off the tick grid (a
    /// Binance REST snapshot not yet followed by a delta, stamped with its receipt) are not checked.
    static func mismatch(_ book: BookUpdate, _ simulator: ExchangeSimulator) -> String? {
        let milliseconds = book.eventTimeNanos / 1_000_000
        guard book.eventTimeNanos % 1_000_000 == 0, milliseconds % Int64(1_000 / booksPerSecond) == 0 else { return nil }
        let tick = milliseconds * Int64(booksPerSecond) / 1_000
        guard let served = simulator.book(of: book.symbol, on: book.exchange, tick: tick) else { return "tick \(tick) no longer served" }
        let sent = book.exchange == .coinone ? 15 : depth
        let bids = served.bids.prefix(min(depth, sent)).map { BookLevel(price: Double($0.price) ?? .nan, size: Double($0.size) ?? .nan) }
        let asks = served.asks.prefix(min(depth, sent)).map { BookLevel(price: Double($0.price) ?? .nan, size: Double($0.size) ?? .nan) }
        guard book.bids == bids, book.asks == asks else {
            return "tick \(tick): published bids \(book.bids.prefix(3))… asks \(book.asks.prefix(3))…, served bids \(bids.prefix(3))… asks \(asks.prefix(3))…"
        }
        return nil
    }

    /// Checks every book published so far from `start` on, while the simulator still serves their ticks.
    static func check(_ sink: RecordingBookSink, from start: inout Int, _ simulator: ExchangeSimulator) -> (checked: Int, mismatches: [String]) {
        let books = sink.books
        defer { start = books.count }
        var checked = 0
        var mismatches: [String] = []
        for book in books[start...] {
            if let problem = mismatch(book, simulator) { mismatches.append(problem) } else { checked += 1 }
        }
        return (checked, mismatches)
    }

    @Test(arguments: Exchange.allCases)
    func publishedBooksAreTheServedBooks(exchange: Exchange) async throws {
        let (simulator, port) = try await startSimulator()
        defer { Task { await simulator.stop() } }
        let sink = RecordingBookSink()
        let metrics = Metrics()
        let running = RunningFeeds([Self.feed(exchange, port: port, sink: sink, metrics: metrics)])
        var start = 0
        var checked = 0
        var mismatches: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while checked < 15, mismatches.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let result = Self.check(sink, from: &start, simulator)
            checked += result.checked
            mismatches += result.mismatches
        }
        await running.stop()
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
        #expect(checked >= 15, "\(checked) books checked")
        #expect(metricValue(metrics, "coinflux_orderbook_resyncs_total", ["exchange": exchange.rawValue, "reason": "sequence_gap"]) == 0)
        #expect(metricValue(metrics, "coinflux_orderbook_resyncs_total", ["exchange": exchange.rawValue, "reason": "crossed"]) == 0)
    }

    /// A REST snapshot the exchange refuses (its rate limit, answered 429) is counted as failed and
    /// asked for again; the book stays unpublished until a snapshot arrives, and is then the
    /// served one.
    @Test func failedSnapshotsAreCountedAndAskedAgain() async throws {
        let (simulator, port) = try await startSimulator()
        defer { Task { await simulator.stop() } }
        simulator.inject(.limitREST(.seconds(3), retryAfterSeconds: 1), into: .binance)
        let limitEnds = ContinuousClock.now + .seconds(3)
        let sink = RecordingBookSink()
        let metrics = Metrics()
        let running = RunningFeeds([Self.feed(.binance, port: port, sink: sink, metrics: metrics)])
        let snapshots = { (outcome: String) in metricValue(metrics, "coinflux_orderbook_snapshots_total", ["exchange": "binance", "outcome": outcome]) ?? 0 }
        #expect(await eventually(timeout: .seconds(3)) { snapshots("failed") >= 1 }, "no failed snapshot counted")
        try await Task.sleep(until: limitEnds - .milliseconds(300))
        let publishedWhileLimited = sink.books.count
        var start = 0
        #expect(await eventually(timeout: .seconds(15)) { sink.books.count >= 10 })
        let result = Self.check(sink, from: &start, simulator)
        await running.stop()
        #expect(publishedWhileLimited == 0, "\(publishedWhileLimited) books published before any snapshot")
        #expect(snapshots("ok") >= 1)
        #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(3))")
        #expect(result.checked >= 5)
    }

    /// A crossed book (every exchange) and a sequence break (the exchanges with sequence numbers)
    /// are counted as resyncs, and the books published after them are the served ones again.
    @Test(arguments: Exchange.allCases)
    func breaksAndCrossedBooksResync(exchange: Exchange) async throws {
        let (simulator, port) = try await startSimulator()
        defer { Task { await simulator.stop() } }
        let sink = RecordingBookSink()
        let metrics = Metrics()
        let symbol = testSymbols(exchange)[0]
        let running = RunningFeeds([Self.feed(exchange, port: port, sink: sink, metrics: metrics)])
        var start = 0
        #expect(await eventually(timeout: .seconds(15)) { !sink.books.isEmpty })
        var faults: [(SimulatorFault, String)] = [(.crossedBook(symbol), "crossed")]
        if exchange == .binance || exchange == .bybit { faults.append((.bookGap(symbol), "sequence_gap")) }
        for (fault, reason) in faults {
            let labels = ["exchange": exchange.rawValue, "reason": reason]
            simulator.inject(fault, into: exchange)
            #expect(await eventually(timeout: .seconds(10)) { (metricValue(metrics, "coinflux_orderbook_resyncs_total", labels) ?? 0) >= 1 },
                    "no \(reason) resync")
            // Back in sync: new books, each the served one.
            _ = Self.check(sink, from: &start, simulator)
            let before = start
            #expect(await eventually(timeout: .seconds(15)) { sink.books.count >= before + 5 })
            let result = Self.check(sink, from: &start, simulator)
            #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(3))")
            #expect(result.checked >= 3)
        }
        await running.stop()
    }
}
