import CoinfluxCore
import NIOConcurrencyHelpers

/// Every exchange's markets, in the order of each exchange's market list: the configured ones
/// from the start, plus those listed at run time. Markets are never removed (a delisted one keeps
/// its log and can be listed again), so a ``Market`` reference stays valid.
final class MarketBook: Sendable {
    private let seed: UInt64
    private let tradesPerSecond: Double
    private let booksPerSecond: [Exchange: Double]
    private let logCapacity: Int
    private let markets: NIOLockedValueBox<[Exchange: [Market]]>

    /// Most markets one exchange may have; listing beyond it is refused.
    static let maxMarketsPerExchange = 4_096

    init(configuration: SimulatorConfiguration, seed: UInt64, startMicros: Int64) {
        self.seed = seed
        tradesPerSecond = configuration.effectiveTradesPerSecond
        booksPerSecond = Dictionary(uniqueKeysWithValues: Exchange.allCases.map { ($0, configuration.effectiveBooksPerSecond($0)) })
        logCapacity = configuration.effectiveLogCapacity
        var all: [Exchange: [Market]] = [:]
        for exchange in configuration.exchanges {
            var list: [Market] = []
            for symbol in configuration.markets[exchange] ?? [] where !list.contains(where: { $0.symbol == symbol }) {
                guard list.count < Self.maxMarketsPerExchange else { break }
                list.append(Self.market(exchange, symbol, seed: seed, startMicros: startMicros, rate: tradesPerSecond,
                                        bookRate: booksPerSecond[exchange] ?? 0, capacity: logCapacity, rank: list.count))
            }
            all[exchange] = list
        }
        markets = NIOLockedValueBox(all)
    }

    /// The market of `symbol` on `exchange`, listed or delisted; nil if it never was listed.
    func market(_ exchange: Exchange, _ symbol: Symbol) -> Market? {
        markets.withLockedValue { $0[exchange]?.first { $0.symbol == symbol } }
    }

    /// The market of `symbol` on `exchange` if it is listed now.
    func listed(_ exchange: Exchange, _ symbol: Symbol) -> Market? {
        market(exchange, symbol).flatMap { $0.isListed ? $0 : nil }
    }

    /// Every market `exchange` ever listed, in list order.
    func markets(_ exchange: Exchange) -> [Market] {
        markets.withLockedValue { $0[exchange] ?? [] }
    }

    /// Lists `symbol` on `exchange` at `nowMicros` (a new market trades from then on; a delisted
    /// one resumes). Nil when the exchange is not served or has too many markets.
    @discardableResult
    func list(_ symbol: Symbol, on exchange: Exchange, at nowMicros: Int64) -> Market? {
        let (market, isNew) = markets.withLockedValue { markets -> (Market?, Bool) in
            guard var list = markets[exchange] else { return (nil, false) }
            if let existing = list.first(where: { $0.symbol == symbol }) { return (existing, false) }
            guard list.count < Self.maxMarketsPerExchange else { return (nil, false) }
            let market = Self.market(exchange, symbol, seed: seed, startMicros: nowMicros, rate: tradesPerSecond,
                                     bookRate: booksPerSecond[exchange] ?? 0, capacity: logCapacity, rank: list.count)
            list.append(market)
            markets[exchange] = list
            return (market, true)
        }
        if let market, !isNew {
            _ = market.setListed(true, at: nowMicros)
        }
        return market
    }

    /// Delists `symbol` on `exchange` at `nowMicros`; false when it is not listed.
    func delist(_ symbol: Symbol, on exchange: Exchange, at nowMicros: Int64) -> Bool {
        market(exchange, symbol)?.setListed(false, at: nowMicros) ?? false
    }

    private static func market(_ exchange: Exchange, _ symbol: Symbol, seed: UInt64, startMicros: Int64, rate: Double, bookRate: Double, capacity: Int, rank: Int) -> Market {
        Market(
            exchange: exchange, symbol: symbol, seed: SplitMix64.derive(seed: seed, "\(exchange.rawValue)/\(symbol)"),
            startMicros: startMicros, tradesPerSecond: rate, booksPerSecond: bookRate, logCapacity: capacity, volumeRank: rank
        )
    }
}
