import CoinfluxCore
import Foundation

/// One simulated trade.
struct SimulatedTrade {
    /// Trade price, a multiple of the market's tick size.
    var price: Double
    /// Traded base quantity, a multiple of the market's lot size.
    var quantity: Double
    /// True when the taker bought (lifted the ask), false when the taker sold.
    var takerBought: Bool
    /// Per-market trade number, increasing by one per trade.
    var id: Int64
    /// Increasing too, and at least `time × 10 000`: the shape of Upbit's `sequential_id`,
    /// which is beyond 2^53.
    var sequence: Int64
    /// Trade time, epoch milliseconds.
    var time: Int64
}

/// One simulated market as one connection (or the REST endpoints) sees it: a mean-reverting
/// random walk of the log price around `ReferencePrices.level(of:)`, plus the rolling 24 h
/// statistics that ticker frames report.
struct MarketState {
    let symbol: Symbol
    /// Digits after the point of a price (from the tick size).
    let priceDigits: Int
    /// Digits after the point of a quantity (from the lot size).
    let quantityDigits: Int
    private let tick: Double
    private let lot: Double
    private let assetUSD: Double
    private let anchorLog: Double
    private let stepSigma: Double
    private var logPrice: Double
    private var rng: SplitMix64

    private(set) var open: Double
    private(set) var high: Double
    private(set) var low: Double
    private(set) var baseVolume: Double
    private(set) var quoteVolume: Double
    private(set) var tradeCount: Int64
    private(set) var lastTrade: SimulatedTrade
    /// Price of the trade before `lastTrade`.
    private(set) var previousPrice: Double
    private(set) var bestBid: Double
    private(set) var bestAsk: Double
    private(set) var bestBidSize: Double
    private(set) var bestAskSize: Double

    /// Pull towards the level per step; with `stepSigma` it keeps the price within about
    /// ±0.2 % (one standard deviation) of its level.
    private static let reversion = 0.005

    init(symbol: Symbol, seed: UInt64, now: Int64) {
        self.symbol = symbol
        var rng = SplitMix64(seed: seed)
        let level = ReferencePrices.level(of: symbol)
        tick = ReferencePrices.tickSize(price: level, quote: symbol.quote)
        priceDigits = ReferencePrices.fractionDigits(of: tick)
        assetUSD = ReferencePrices.usdValue(of: symbol.base)
        let lotDigits = max(0, min(8, Int(log10(assetUSD).rounded(.down)) + 2))
        quantityDigits = lotDigits
        lot = pow(10, -Double(lotDigits))
        anchorLog = log(level)
        stepSigma = symbol.base == "USDT" || symbol.base == "USDC" ? 0.00005 : 0.0002
        logPrice = anchorLog + rng.nextGaussian() * 0.001

        let onTick = { [tick] (value: Double) in max(tick, (value / tick).rounded() * tick) }
        open = onTick(level * (1 + rng.nextGaussian() * 0.01))
        let price = onTick(exp(logPrice))
        high = onTick(max(open, price) * (1 + rng.nextUnit() * 0.01))
        low = onTick(min(open, price) * (1 - rng.nextUnit() * 0.01))
        baseVolume = 50_000_000 / assetUSD * (0.5 + rng.nextUnit())
        quoteVolume = baseVolume * level
        tradeCount = 100_000 + Int64(rng.next() % 900_000)
        let firstID = 1_000_000_000 + Int64(rng.next() % 1_000_000_000)
        lastTrade = SimulatedTrade(
            price: price, quantity: lot, takerBought: true, id: firstID, sequence: now * 10_000, time: now
        )
        previousPrice = price
        bestBid = price
        bestAsk = price + tick
        bestBidSize = lot
        bestAskSize = lot
        self.rng = rng
        trade(at: now)  // a first real trade, so snapshots show a plausible quantity and book
    }

    /// Last trade price.
    var price: Double { lastTrade.price }
    /// Price change against the 24 h open.
    var change: Double { lastTrade.price - open }
    /// `change / open` as a fraction.
    var changeRate: Double { open == 0 ? 0 : change / open }
    /// Same-time quantity noise, for fields such as Bithumb's long-digit volumes.
    var noiseDigits: UInt64 { UInt64(bitPattern: tradeCount &* 0x2545_F491_4F6C_DD1D) % 10_000_000_000_000_000 }

    /// Advances the walk by one trade at `now` (epoch ms) and updates the statistics.
    @discardableResult
    mutating func trade(at now: Int64) -> SimulatedTrade {
        let step = Self.reversion * (anchorLog - logPrice) + stepSigma * rng.nextGaussian()
        logPrice += step
        let price = max(tick, (exp(logPrice) / tick).rounded() * tick)
        let notional = 300 * exp(rng.nextGaussian() * 1.2)
        let quantity = max(lot, (notional / assetUSD / lot).rounded() * lot)
        let takerBought = step >= 0
        previousPrice = lastTrade.price
        lastTrade = SimulatedTrade(
            price: price,
            quantity: quantity,
            takerBought: takerBought,
            id: lastTrade.id + 1,
            sequence: max(lastTrade.sequence + 1, now * 10_000),
            time: now
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
        return lastTrade
    }
}
