import CoinfluxCore

/// How a changed symbol set is spread over an exchange's connections so that as few of them as
/// possible change: each connection keeps the symbols it has that are still wanted, and new
/// symbols fill the connections with room, in order. Pure, for ``ExchangeFeed/subscribe(to:)``.
public struct SymbolAssignment: Sendable, Equatable {
    /// Each connection's symbols, in connection order (empty: the connection has none and idles).
    public var groups: [[Symbol]]
    /// Wanted symbols that fit on no connection, in the order wanted.
    public var leftOut: [Symbol]

    /// - Parameters:
    ///   - current: each connection's symbols now.
    ///   - wanted: the symbols to subscribe to (a repeated one counts once).
    ///   - perConnection: most symbols one connection carries (at least one).
    public init(current: [[Symbol]], wanted: [Symbol], perConnection: Int) {
        let limit = max(1, perConnection)
        var remaining: Set<Symbol> = []
        let wanted = wanted.filter { remaining.insert($0).inserted }
        var groups = current.map { group in
            group.filter { remaining.remove($0) != nil }
        }
        var leftOut: [Symbol] = []
        var index = 0
        for symbol in wanted where remaining.contains(symbol) {
            while index < groups.count, groups[index].count >= limit { index += 1 }
            if index < groups.count {
                groups[index].append(symbol)
            } else {
                leftOut.append(symbol)
            }
        }
        self.groups = groups
        self.leftOut = leftOut
    }
}
