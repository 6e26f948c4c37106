import CoinfluxCore
import Foundation
import NIOConcurrencyHelpers

/// Everything the simulator's connections and HTTP routes share.
final class SimulatorContext: Sendable {
    let configuration: SimulatorConfiguration
    let counters = CounterBoard()
    let faults = FaultBoard()
    /// Markets behind the REST ticker endpoints.
    let restMarkets: MarketBook

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.restMarkets = MarketBook(seed: configuration.seed ?? UInt64.random(in: .min ... .max))
    }

    /// Seed for a new connection's walks: the configured seed (so every connection replays
    /// the same market), or a fresh random one.
    func connectionSeed() -> UInt64 {
        configuration.seed ?? UInt64.random(in: .min ... .max)
    }

    /// Wall-clock time in epoch milliseconds, the unit of every exchange timestamp.
    static func epochMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down))
    }
}

/// Markets behind the REST endpoints: one walk per exchange and symbol, advanced by one trade
/// per request.
final class MarketBook: Sendable {
    /// Most markets kept; beyond it the book starts over (a REST client asking for thousands of
    /// symbols gets fresh walks instead of growing memory).
    static let capacity = 4_096

    private let seed: UInt64
    private let markets = NIOLockedValueBox<[String: MarketState]>([:])

    init(seed: UInt64) {
        self.seed = seed
    }

    /// The market after one more trade at `now`.
    func next(_ exchange: Exchange, _ symbol: Symbol, now: Int64) -> MarketState {
        let key = "\(exchange.rawValue)/\(symbol)"
        return markets.withLockedValue { markets in
            if markets[key] == nil, markets.count >= Self.capacity {
                markets.removeAll(keepingCapacity: true)
            }
            var market = markets[key] ?? MarketState(symbol: symbol, seed: SplitMix64.derive(seed: seed, key), now: now)
            market.trade(at: now)
            markets[key] = market
            return market
        }
    }
}
