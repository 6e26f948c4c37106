import CoinfluxCore
import Foundation
import Simulator
import Testing

/// A client-side order book rebuilt from frames: price → size, exact decimals.
struct LocalBook: Equatable, CustomStringConvertible {
    var bids: [Decimal: Decimal] = [:]
    var asks: [Decimal: Decimal] = [:]

    init() {}

    /// The book a ``ServedBook`` reports (its best `depth` levels a side; 0: all).
    init(_ served: ServedBook, depth: Int = 0) {
        let take = { (levels: [ServedBook.Level]) in depth > 0 ? Array(levels.prefix(depth)) : levels }
        for level in take(served.bids) { bids[decimal(level.price)] = decimal(level.size) }
        for level in take(served.asks) { asks[decimal(level.price)] = decimal(level.size) }
    }

    /// Applies `[["price","size"],…]` levels: absolute sizes, 0 removes.
    mutating func apply(bids newBids: Any?, asks newAsks: Any?) throws {
        for (side, levels) in [(true, newBids), (false, newAsks)] {
            for pair in try #require(levels as? [[String]]) {
                let price = decimal(pair[0]), size = decimal(pair[1])
                if side { bids[price] = size == 0 ? nil : size } else { asks[price] = size == 0 ? nil : size }
            }
        }
    }

    var bestBid: Decimal? { bids.keys.max() }
    var bestAsk: Decimal? { asks.keys.min() }
    var isCrossed: Bool {
        guard let bestBid, let bestAsk else { return false }
        return bestBid >= bestAsk
    }

    var description: String { "bids \(bids.count) best \(bestBid.map { "\($0)" } ?? "-"), asks \(asks.count) best \(bestAsk.map { "\($0)" } ?? "-")" }
}

/// A decimal from JSON text or a JSON number (NaN when neither).
func decimal(_ value: Any?) -> Decimal {
    switch value {
    case let text as String: return Decimal(string: text) ?? .nan
    case let number as NSNumber: return Decimal(string: number.stringValue) ?? .nan
    default: return .nan
    }
}

/// The book tick of an event time at 10 books a second (tick k is at k × 100 ms).
func bookTick(ms: Any?) -> Int64 {
    Int64((((ms as? NSNumber)?.doubleValue ?? 0) / 100).rounded())
}

extension SimulatorConfiguration {
    /// A seeded simulator with books at the default 10 a second and no tickers.
    static var books: SimulatorConfiguration {
        SimulatorConfiguration(tradesPerSecond: 20, tickersPerSecond: 0, booksPerSecond: 10, seed: 11)
    }
}

/// The markets the book tests watch.
let btcUSDT = Symbol(base: "BTC", quote: "USDT")
let btcKRW = Symbol(base: "BTC", quote: "KRW")
