import CoinfluxCore
import Exchanges
import Foundation

/// Order-book messages each exchange adapter parses per second of one core's CPU time, for
/// 20-level updates in the exchanges' shapes (Binance and Bybit deltas with 20 changed levels a
/// side, Upbit and Bithumb 20 units, Coinone 20 levels a side), and the same messages parsed and
/// applied to a synchronised book (``BookSynchronizer``). Issue #16's goal: 300 000 parsed a second.
enum BookBenchmark {
    private static let sampleCount = 256
    private static let operations = 200_000
    private static let levels = 20

    static func run() {
        for (name, adapter, frame) in samples {
            let frames = (0..<sampleCount).map { Array(frame($0).utf8) }
            guard frames.allSatisfy({ parses(adapter, $0) }) else {
                print("  \(name): sample book messages do not parse")
                continue
            }
            let average = frames.reduce(0) { $0 + $1.count } / sampleCount
            measure("\(name) book, \(levels) levels (\(average) B), parsed", adapter, frames, apply: false)
            measure("\(name) book, \(levels) levels, parsed and applied", adapter, frames, apply: true)
        }
    }

    private static func parses(_ adapter: any OrderBookAdapter, _ frame: [UInt8]) -> Bool {
        var updates: [BookUpdate] = []
        let isBook = frame.withUnsafeBytes { try? adapter.parseBookMessage(frame: $0, receivedAt: 1, into: &updates) }
        return isBook == true && updates.count == 1 && updates[0].bids.count == levels
    }

    /// Wall-clock rate (`Bench.measure`), then the best run's rate per second of this thread's CPU time.
    private static func measure(_ name: String, _ adapter: any OrderBookAdapter, _ frames: [[UInt8]], apply: Bool) {
        var bestCPUSeconds = Double.infinity
        Bench.measure(name, operations: operations, unit: "updates") {
            let cpuStart = CPUTime.thread()
            var updates: [BookUpdate] = []
            updates.reserveCapacity(2)
            var sync = BookSynchronizer(sequencing: .snapshots)
            var checksum = 0.0
            for index in 0..<operations {
                updates.removeAll(keepingCapacity: true)
                frames[index % sampleCount].withUnsafeBytes { bytes in
                    _ = try? adapter.parseBookMessage(frame: bytes, receivedAt: Int64(index), into: &updates)
                }
                if apply, var update = updates.first {
                    // Each message as a snapshot: the apply cost without the sequencing rules' bookkeeping.
                    update.kind = .snapshot
                    update.eventTimeNanos = Int64(index)
                    _ = sync.receive(update)
                    checksum += sync.book.bestBid?.price ?? 0
                } else {
                    checksum += updates.first?.bids.first?.price ?? 0
                }
            }
            Bench.blackHole(checksum)
            bestCPUSeconds = min(bestCPUSeconds, CPUTime.thread() - cpuStart)
        }
        Bench.record("\(name), per CPU-second", operations: operations, seconds: bestCPUSeconds, unit: "updates")
    }

    // MARK: Sample messages (prices move with the index so no two in a row are the same)

    private static func side(_ index: Int, start: Double, step: Double, pair: (Double, Double) -> String) -> String {
        var parts: [String] = []
        for level in 0..<levels {
            let size: Double = 0.001 * Double((index * 7 + level * 13) % 997 + 1)
            parts.append(pair(start + step * Double(level), size))
        }
        return parts.joined(separator: ",")
    }

    private static func quotedPair(_ price: Double, _ size: Double) -> String {
        "[\"" + String(format: "%.2f", price) + "\",\"" + String(format: "%.3f", size) + "\"]"
    }

    private static func coinoneLevel(_ price: Double, _ size: Double) -> String {
        #"{"price":""# + String(Int(price)) + #"","qty":""# + String(format: "%.8f", size) + #""}"#
    }

    private static func binanceBook(_ index: Int) -> String {
        let mid = 37_000 + Double(index % 50)
        let bids = side(index, start: mid, step: -0.01, pair: quotedPair)
        let asks = side(index, start: mid + 0.01, step: 0.01, pair: quotedPair)
        return #"{"e":"depthUpdate","E":\#(1_700_000_000_000 + index),"s":"BTCUSDT","U":\#(index * 40 + 1),"u":\#(index * 40 + 40),"b":[\#(bids)],"a":[\#(asks)]}"#
    }

    private static func bybitBook(_ index: Int) -> String {
        let mid = 37_000 + Double(index % 50)
        let bids = side(index, start: mid, step: -0.01, pair: quotedPair)
        let asks = side(index, start: mid + 0.01, step: 0.01, pair: quotedPair)
        let time = 1_700_000_000_000 + index
        return #"{"topic":"orderbook.50.BTCUSDT","ts":\#(time),"type":"delta","data":{"s":"BTCUSDT","b":[\#(bids)],"a":[\#(asks)],"u":\#(index + 1),"seq":\#(7_961_638_724 + index)},"cts":\#(time)}"#
    }

    private static func coinoneBook(_ index: Int) -> String {
        let mid = 137_000_000 + Double(index % 50) * 1_000
        let asks = side(index, start: mid + 1_000, step: 1_000, pair: coinoneLevel)
        let bids = side(index, start: mid, step: -1_000, pair: coinoneLevel)
        return #"{"response_type":"DATA","channel":"ORDERBOOK","data":{"quote_currency":"KRW","target_currency":"BTC","timestamp":\#(1_700_000_000_000 + index),"id":"\#(1_700_000_000_000_001 + index)","asks":[\#(asks)],"bids":[\#(bids)]}}"#
    }

    private static var samples: [(String, any OrderBookAdapter, (Int) -> String)] {
        [
            ("binance", BinanceAdapter(), binanceBook),
            ("bybit", BybitAdapter(), bybitBook),
            ("upbit", UpbitAdapter(), upbitBook),
            ("bithumb", BithumbAdapter(), upbitBook),
            ("coinone", CoinoneAdapter(), coinoneBook),
        ]
    }

    private static func upbitBook(_ index: Int) -> String {
        let mid = 137_000_000 + index % 50 * 1_000
        var units: [String] = []
        for level in 0..<levels {
            let askSize = String(format: "%.8f", 0.001 * Double((index * 7 + level * 13 + 1) % 997 + 1))
            let bidSize = String(format: "%.8f", 0.001 * Double((index * 7 + level * 13 + 2) % 997 + 1))
            units.append(#"{"ask_price":\#(mid + 1_000 * (level + 1)),"bid_price":\#(mid - 1_000 * level),"ask_size":\#(askSize),"bid_size":\#(bidSize)}"#)
        }
        return #"{"type":"orderbook","code":"KRW-BTC","timestamp":\#(1_700_000_000_000 + index),"total_ask_size":4.79158413,"total_bid_size":2.65609625,"orderbook_units":[\#(units.joined(separator: ","))],"stream_type":"REALTIME","level":0}"#
    }
}
