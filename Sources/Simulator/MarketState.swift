import CoinfluxCore
import Foundation

/// One simulated market: a seeded schedule of trades (exponential gaps at the configured mean
/// rate), a mean-reverting random walk of the log price around `ReferencePrices.level(of:)`, and
/// the rolling 24 h statistics that ticker frames report.
///
/// Pure: it trades only when asked (``makeTrade()``), at the time its schedule says, so the same
/// seed gives the same trades (numbers, prices, sizes, sides, times relative to the start)
/// whenever and however often the market is observed.
struct MarketState: Sendable {
    let symbol: Symbol
    /// Digits after the point of a price (from the tick size).
    let priceDigits: Int
    /// Digits after the point of a quantity (from the lot size).
    let quantityDigits: Int
    /// Price increment.
    let tick: Double
    /// Quantity increment.
    let lot: Double
    private let assetUSD: Double
    private let anchorLog: Double
    private let stepSigma: Double
    private let numbering: TradeStyle.Numbering
    /// Mean gap between trades in µs; infinite when the market does not trade.
    private let meanGapMicros: Double
    private var logPrice: Double
    private var rng: SplitMix64

    private(set) var open: Double
    private(set) var high: Double
    private(set) var low: Double
    private(set) var baseVolume: Double
    private(set) var quoteVolume: Double
    private(set) var tradeCount: Int64
    private(set) var lastTrade: SimulatedTrade
    private(set) var bestBid: Double
    private(set) var bestAsk: Double
    private(set) var bestBidSize: Double
    private(set) var bestAskSize: Double
    /// When the next trade happens, epoch µs.
    private(set) var nextTradeMicros: Int64

    /// Pull towards the level per step; with `stepSigma` it keeps the price within about
    /// ±0.2 % (one standard deviation) of its level.
    private static let reversion = 0.005

    /// A market whose first trade (number 0) happens at `startMicros`.
    /// - Parameters:
    ///   - tradesPerSecond: mean trade rate; 0 or less: only the first trade.
    ///   - volumeRank: position in the exchange's market list; the 24 h volume falls with it, so
    ///     ranking by volume (`top:N`) roughly follows the list.
    init(symbol: Symbol, seed: UInt64, startMicros: Int64, tradesPerSecond: Double, numbering: TradeStyle.Numbering, volumeRank: Int = 0) {
        self.symbol = symbol
        self.numbering = numbering
        var rng = SplitMix64(seed: seed)
        let level = ReferencePrices.level(of: symbol)
        tick = ReferencePrices.tickSize(price: level, quote: symbol.quote)
        priceDigits = ReferencePrices.fractionDigits(of: tick)
        assetUSD = ReferencePrices.usdValue(of: symbol.base)
        let lotDigits = max(0, min(8, Int(log10(assetUSD).rounded(.down)) + 2))
        quantityDigits = lotDigits
        lot = pow(10, -Double(lotDigits))
        anchorLog = log(level)
        stepSigma = ReferencePrices.isDollarToken(symbol.base) ? 0.00005 : 0.0002
        meanGapMicros = tradesPerSecond.isFinite && tradesPerSecond > 0 ? 1e6 / tradesPerSecond : .infinity
        logPrice = anchorLog + rng.nextGaussian() * 0.001

        let onTick = { [tick] (value: Double) in max(tick, (value / tick).rounded() * tick) }
        open = onTick(level * (1 + rng.nextGaussian() * 0.01))
        let price = onTick(exp(logPrice))
        high = onTick(max(open, price) * (1 + rng.nextUnit() * 0.01))
        low = onTick(min(open, price) * (1 - rng.nextUnit() * 0.01))
        let usdVolume = 2e9 * pow(0.85, Double(max(0, volumeRank))) * (0.95 + 0.1 * rng.nextUnit())
        quoteVolume = usdVolume / ReferencePrices.usdValue(of: symbol.quote)
        baseVolume = quoteVolume / level
        tradeCount = 100_000 + Int64(rng.next() % 900_000)
        let firstID: Int64 = switch numbering {
        case .consecutive: 1_000_000_000 + Int64(rng.next() % 1_000_000_000)
        case .sparse: 2_100_000_000_000_000_000 + Int64(rng.next() % 1_000_000_000_000_000)
        case .timeScaled(let scale): startMicros / 1_000 * scale
        }
        // Trade -1, before the start: it only seeds the ids and the book.
        lastTrade = SimulatedTrade(number: -1, id: firstID - 1, price: price, quantity: lot, takerBought: true, time: startMicros / 1_000)
        bestBid = price
        bestAsk = price + tick
        bestBidSize = lot
        bestAskSize = lot
        nextTradeMicros = startMicros
        self.rng = rng
    }

    /// Last trade price.
    var price: Double { lastTrade.price }
    /// Price change against the 24 h open.
    var change: Double { lastTrade.price - open }
    /// `change / open` as a fraction.
    var changeRate: Double { open == 0 ? 0 : change / open }
    /// Same-time quantity noise, for fields such as Bithumb's long-digit volumes.
    var noiseDigits: UInt64 { UInt64(bitPattern: tradeCount &* 0x2545_F491_4F6C_DD1D) % 10_000_000_000_000_000 }
    /// Whether the market trades at all.
    var trades: Bool { meanGapMicros.isFinite }

    /// The trade due at ``nextTradeMicros``; schedules the one after it.
    mutating func makeTrade() -> SimulatedTrade {
        let time = nextTradeMicros / 1_000
        let step = Self.reversion * (anchorLog - logPrice) + stepSigma * rng.nextGaussian()
        logPrice += step
        let price = max(tick, (exp(logPrice) / tick).rounded() * tick)
        let notional = 300 * exp(rng.nextGaussian() * 1.2)
        let quantity = max(lot, (notional / assetUSD / lot).rounded() * lot)
        let takerBought = step >= 0
        let number = lastTrade.number + 1
        lastTrade = SimulatedTrade(
            number: number, id: nextID(number: number, time: time), price: price, quantity: quantity,
            takerBought: takerBought, time: time
        )
        high = max(high, price)
        low = min(low, price)
        baseVolume += quantity
        quoteVolume += quantity * price
        tradeCount += 1
        bestBid = takerBought ? price - tick : price
        bestAsk = bestBid + tick
        bestBidSize = quantity * (0.5 + 4 * rng.nextUnit())
        bestAskSize = quantity * (0.5 + 4 * rng.nextUnit())
        let gap = -log(1 - rng.nextUnit()) * meanGapMicros
        nextTradeMicros = nextTradeMicros &+ Int64(min(gap.rounded(.up), 1e15))
        return lastTrade
    }

    /// When more than `2 × keep` trades are due by `nowMicros` (a market nobody looked at for a
    /// long time), skips all but the last `keep` of them: their numbers and ids are used up, they
    /// are not simulated. Returns how many were skipped.
    mutating func fastForward(to nowMicros: Int64, keep: Int) -> Int64 {
        guard trades, nowMicros > nextTradeMicros else { return 0 }
        let due = Double(nowMicros - nextTradeMicros) / meanGapMicros
        guard due > 2 * Double(keep) else { return 0 }
        let skipped = Int64(due) - Int64(keep)
        nextTradeMicros += Int64(Double(skipped) * meanGapMicros)
        let number = lastTrade.number + skipped
        switch numbering {
        case .consecutive: lastTrade.id += skipped
        case .sparse: lastTrade.id += 2 * skipped
        case .timeScaled: lastTrade.id = nextID(number: number, time: nextTradeMicros / 1_000)
        }
        lastTrade.number = number
        tradeCount += skipped
        return skipped
    }

    /// Restarts the schedule at `nowMicros` (a market listed again after a delisting).
    mutating func resumeTrading(at nowMicros: Int64) {
        nextTradeMicros = max(nextTradeMicros, nowMicros)
    }

    private func nextID(number: Int64, time: Int64) -> Int64 {
        switch numbering {
        case .consecutive:
            return lastTrade.id + 1
        case .timeScaled(let scale):
            return max(lastTrade.id + 1, time * scale)
        case .sparse:
            let mixed = UInt64(bitPattern: number) &* 0x9E37_79B9_7F4A_7C15
            return lastTrade.id + 1 + Int64((mixed >> 61) % 3)
        }
    }
}
