import CoinfluxCore
import Exchanges

/// Which markets an exchange's feed subscribes to (`collector.<exchange>.symbols`): a fixed list,
/// or markets discovered from the exchange's market list — every trading market of the chosen
/// quote currencies, or the busiest of them by 24 h quote volume.
///
/// Pure: ``select(from:quotes:quoteVolumes:)`` turns a market list (and, for ``top(_:)``, the
/// volumes of its markets) into the symbols to subscribe to; ``MarketDiscovery`` fetches both.
public enum MarketSelection: Sendable, Equatable, CustomStringConvertible {
    /// These symbols, whatever the exchange lists.
    case symbols([Symbol])
    /// Every trading market of the quote currencies.
    case all
    /// The `n` trading markets of the quote currencies with the highest 24 h quote volume.
    case top(Int)

    /// Whether the symbols come from the exchange's market list (`all`, `top:N`).
    public var isDiscovered: Bool {
        if case .symbols = self { return false }
        return true
    }

    /// Whether selecting needs the markets' 24 h quote volumes (`top:N`).
    public var needsVolumes: Bool {
        if case .top = self { return true }
        return false
    }

    /// Most symbols the selection can hold; nil when the market list decides (`all`).
    public var maximumCount: Int? {
        switch self {
        case .symbols(let symbols): symbols.count
        case .all: nil
        case .top(let count): count
        }
    }

    /// `all`, `top:20`, or the symbols comma-separated.
    public var description: String {
        switch self {
        case .symbols(let symbols): symbols.map(\.description).joined(separator: ", ")
        case .all: "all"
        case .top(let count): "top:\(count)"
        }
    }

    /// The symbols to subscribe to.
    /// - Parameters:
    ///   - listed: the exchange's market list, in its order.
    ///   - quotes: the quote currencies (upper case) whose markets `all` and `top:N` take.
    ///   - quoteVolumes: 24 h quote volume per market (`top:N`); a market without one (or
    ///     with one that is not finite) ranks last.
    /// - Returns: for a fixed list, the list; for `all`, the trading markets of `quotes` in list
    ///   order; for `top:N`, the `N` of them with the highest volume, highest first (ties in list
    ///   order). Each symbol once.
    public func select(from listed: [ListedMarket], quotes: Set<String>, quoteVolumes: [Symbol: Double] = [:]) -> [Symbol] {
        switch self {
        case .symbols(let symbols):
            return symbols
        case .all:
            return Self.candidates(listed, quotes: quotes)
        case .top(let count):
            // A missing or non-finite volume ranks below every real one (and keeps the order strict).
            let volume = { (symbol: Symbol) in quoteVolumes[symbol].flatMap { $0.isFinite ? $0 : nil } ?? -.infinity }
            let ranked = Self.candidates(listed, quotes: quotes).enumerated().sorted { left, right in
                let (a, b) = (volume(left.element), volume(right.element))
                return a != b ? a > b : left.offset < right.offset
            }
            return ranked.prefix(max(0, count)).map(\.element)
        }
    }

    /// The trading markets of `quotes`, each once, in list order.
    public static func candidates(_ listed: [ListedMarket], quotes: Set<String>) -> [Symbol] {
        var seen: Set<Symbol> = []
        return listed.compactMap { market in
            market.isTrading && quotes.contains(market.symbol.quote) && seen.insert(market.symbol).inserted ? market.symbol : nil
        }
    }
}
