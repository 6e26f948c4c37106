import CoinfluxCore
import Foundation

/// One market's order book at one book tick: 50 levels a side around the market's price at that
/// tick, on a price grid, never crossed, with the exchanges' update ids.
///
/// Prices are grid indices (price = index × ``BookModel/step``) and sizes whole lots (size =
/// lots × ``BookModel/lot``), so every price and size prints exactly.
struct SimulatedBook: Sendable, Equatable {
    /// One price level: grid index and size in lots (0 in a change: the level is removed).
    struct Level: Sendable, Equatable {
        var index: Int64
        var lots: Int64
    }

    let tick: Int64
    /// Epoch ms of the tick.
    let time: Int64
    /// Bids, best (highest) first.
    let bids: [Level]
    /// Asks, best (lowest) first.
    let asks: [Level]
    /// Binance `U`: first update id of this tick's changes (`lastUpdateID + 1` when nothing changed).
    let firstUpdateID: Int64
    /// Binance `u` and REST `lastUpdateId`: last update id of this tick's changes.
    let lastUpdateID: Int64
    /// Bybit `u`: one more per tick whose book changed.
    let updateID: Int64
    /// Bybit `seq`: grows with every changed level.
    let sequence: Int64
    /// Whether the book differs from the previous tick's.
    var changed: Bool { firstUpdateID <= lastUpdateID }

    /// Coinone `id`: the tick's epoch µs plus one (their example: timestamp × 1000 + 1).
    func coinoneID(booksPerSecond: Double) -> Int64 {
        Int64((Double(tick) * 1e6 / booksPerSecond).rounded(.down)) + 1
    }

    /// The levels that differ between `old` and `new` (sorted the same way), each with its new size
    /// (0: removed), in `new`'s order.
    static func changes(from old: [Level], to new: [Level], descending: Bool) -> [Level] {
        var result: [Level] = []
        var oldPosition = 0
        var newPosition = 0
        // `before(a, b)`: a comes first in the side's order.
        func before(_ a: Int64, _ b: Int64) -> Bool { descending ? a > b : a < b }
        while oldPosition < old.count || newPosition < new.count {
            if newPosition == new.count || (oldPosition < old.count && before(old[oldPosition].index, new[newPosition].index)) {
                result.append(Level(index: old[oldPosition].index, lots: 0))
                oldPosition += 1
            } else if oldPosition == old.count || before(new[newPosition].index, old[oldPosition].index) {
                result.append(new[newPosition])
                newPosition += 1
            } else {
                if old[oldPosition].lots != new[newPosition].lots { result.append(new[newPosition]) }
                oldPosition += 1
                newPosition += 1
            }
        }
        return result
    }
}

/// How one market's books are drawn: the price grid, the lot, and seeded sizes.
///
/// A level's size and presence depend only on the seed, its grid index and its era (each level
/// redraws every 5 to 40 ticks, at its own phase), so between ticks only a few levels change;
/// the best bid and ask also churn every tick. Where the book sits follows the market's price.
struct BookModel: Sendable {
    /// Levels per side.
    static let depth = 50
    let seed: UInt64
    /// Grid step: a multiple of the market's tick.
    let step: Double
    let lot: Double
    let priceDigits: Int
    let sizeDigits: Int
    /// Median size of a level, in lots.
    private let typicalLots: Double

    init(state: MarketState, seed: UInt64) {
        self.seed = seed
        // About 1 bp of the price, rounded down to 1, 2 or 5 ticks (the exchange's tick rules)
        // times a power of ten: the simulated price moves about 2 bp a trade, so a finer grid
        // would shift the whole book every tick.
        step = state.tick * Self.roundNumber(max(1, ReferencePrices.level(of: state.symbol) * 1e-4 / state.tick))
        lot = state.lot
        priceDigits = ReferencePrices.fractionDigits(of: step)
        sizeDigits = state.quantityDigits
        typicalLots = max(1, 5_000 / ReferencePrices.usdValue(of: state.symbol.base) / state.lot)
    }

    /// The largest of 1, 2, 5 × 10^n not above `value` (≥ 1).
    private static func roundNumber(_ value: Double) -> Double {
        let power = pow(10, log10(value).rounded(.down))
        for factor in [5.0, 2.0] where factor * power <= value {
            return factor * power
        }
        return power
    }

    func price(_ index: Int64) -> Double { Double(index) * step }
    func size(_ lots: Int64) -> Double { Double(lots) * lot }

    /// The book at `tick` around `price`; ids are set by ``BookHistory``.
    func levels(tick: Int64, price: Double) -> (bids: [SimulatedBook.Level], asks: [SimulatedBook.Level]) {
        let bestBid = Int64((price / step).rounded(.down))
        var bids: [SimulatedBook.Level] = []
        var asks: [SimulatedBook.Level] = []
        bids.reserveCapacity(Self.depth)
        asks.reserveCapacity(Self.depth)
        // At most 4 × depth grid steps: presence is 90 %, so 50 levels take about 56.
        for offset in 0..<Int64(4 * Self.depth) where bids.count < Self.depth {
            if let lots = lots(index: bestBid - offset, tick: tick) { bids.append(.init(index: bestBid - offset, lots: lots)) }
        }
        for offset in 1...Int64(4 * Self.depth) where asks.count < Self.depth {
            if let lots = lots(index: bestBid + offset, tick: tick) { asks.append(.init(index: bestBid + offset, lots: lots)) }
        }
        // Top-of-book churn: 1 … 7 extra units, different from one tick to the next.
        let churn = Int64(max(1, typicalLots / 20)) * (1 + tick.modulo(7))
        if !bids.isEmpty { bids[0].lots += churn }
        if !asks.isEmpty { asks[0].lots += 8 * Int64(max(1, typicalLots / 20)) - churn }
        return (bids, asks)
    }

    /// Size of the level at grid `index` during its era at `tick`; nil when the level is empty then.
    private func lots(index: Int64, tick: Int64) -> Int64? {
        var levelMix = SplitMix64(seed: seed ^ UInt64(bitPattern: index) &* 0x9E37_79B9_7F4A_7C15)
        let period = Int64(5 + levelMix.next() % 36)
        let phase = Int64(levelMix.next() % UInt64(period))
        let era = (tick + phase).floorDivided(by: period)
        var draw = SplitMix64(seed: levelMix.next() ^ UInt64(bitPattern: era) &* 0xD1B5_4A32_D192_ED03)
        guard draw.next() % 10 != 0 else { return nil }
        return max(1, Int64((typicalLots * exp(0.8 * draw.nextGaussian())).rounded()))
    }
}

/// The recent books of one market (the last ``capacity`` ticks) and its running update ids: the
/// same books for every connection and for REST.
struct BookHistory: Sendable {
    static let capacity = 64
    let model: BookModel
    private var ring: [SimulatedBook] = []
    private var lastUpdateID: Int64
    private var updateID: Int64
    private var sequence: Int64

    /// Average Binance ids used per tick skipped when the market was not looked at for longer than the ring.
    static let skippedIDsPerTick: Int64 = 8

    init(model: BookModel) {
        self.model = model
        var rng = SplitMix64(seed: model.seed ^ 0x5EED)
        lastUpdateID = 1_000_000_000 + Int64(rng.next() % 1_000_000_000)
        updateID = 1_000_000 + Int64(rng.next() % 1_000_000)
        sequence = 10_000_000_000 + Int64(rng.next() % 1_000_000_000)
    }

    /// The latest tick made, or nil before the first.
    var latestTick: Int64? { ring.last?.tick }

    /// The book of `tick` if it is among the recent ones.
    func book(_ tick: Int64) -> SimulatedBook? {
        guard let last = ring.last, tick <= last.tick, tick > last.tick - Int64(ring.count) else { return nil }
        return ring[ring.count - 1 - Int(last.tick - tick)]
    }

    /// Makes the books up to `tick` (a later tick than ``latestTick``), `price(k)` being the market's
    /// price at tick k and `time(k)` its epoch ms. Ticks further back than the ring are not made:
    /// their ids are used up at ``skippedIDsPerTick``.
    mutating func advance(to tick: Int64, time: (Int64) -> Int64, price: (Int64) -> Double) {
        var next = latestTick.map { $0 + 1 } ?? tick - 1
        if tick - next >= Int64(Self.capacity) {
            let skipped = tick - 1 - next
            lastUpdateID += skipped * Self.skippedIDsPerTick
            updateID += skipped
            sequence += skipped * Self.skippedIDsPerTick
            next = tick - 1
            ring.removeAll(keepingCapacity: true)
        }
        while next <= tick {
            append(next, time: time(next), price: price(next))
            next += 1
        }
    }

    private mutating func append(_ tick: Int64, time: Int64, price: Double) {
        let levels = model.levels(tick: tick, price: price)
        var changes = 0
        if let previous = ring.last {
            changes = SimulatedBook.changes(from: previous.bids, to: levels.bids, descending: true).count
                + SimulatedBook.changes(from: previous.asks, to: levels.asks, descending: false).count
        }
        let first = lastUpdateID + 1
        if changes > 0 {
            lastUpdateID += Int64(changes)
            updateID += 1
            sequence += Int64(changes)
        }
        if ring.count == Self.capacity { ring.removeFirst() }
        ring.append(SimulatedBook(
            tick: tick, time: time, bids: levels.bids, asks: levels.asks, firstUpdateID: first, lastUpdateID: lastUpdateID,
            updateID: updateID, sequence: sequence
        ))
    }
}

extension Int64 {
    /// `self` mod `divisor` in 0 ..< divisor (divisor > 0), also for negative values.
    func modulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }

    /// `self` / `divisor` rounded down (divisor > 0).
    func floorDivided(by divisor: Int64) -> Int64 {
        (self - modulo(divisor)) / divisor
    }
}
