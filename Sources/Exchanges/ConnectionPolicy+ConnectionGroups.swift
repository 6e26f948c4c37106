import CoinfluxCore

extension ConnectionPolicy {
    /// Streams one symbol takes on a connection: one per channel coinflux subscribes to
    /// (`<symbol>@ticker` and `<symbol>@trade` on Binance).
    public static let streamsPerSymbol = MarketEvent.Kind.allCases.count

    /// Splits symbols into connection groups, each within the per-connection stream limit:
    /// one WebSocket connection per group.
    ///
    /// Groups are filled in order, each to the limit before the next starts, so with Binance's
    /// 1 024 streams 512 symbols take one connection and 513 take two.
    /// - Parameters:
    ///   - symbols: normalized symbols, in configuration order.
    ///   - streamsPerConnection: a lower limit to split by (from the configuration); nil, or a
    ///     value above `maximumStreamsPerConnection`, splits by the exchange's own limit.
    /// - Returns: the groups in order, each with at most `limit / streamsPerSymbol` symbols (at
    ///   least one). Every distinct symbol appears exactly once, in the order it first appears
    ///   (a repeated symbol is dropped, so no stream is subscribed twice); no group for no symbols.
    public func connectionGroups(for symbols: [Symbol], streamsPerConnection: Int? = nil) -> [[Symbol]] {
        let size = symbolsPerConnection(streamsPerConnection: streamsPerConnection)
        var seen: Set<Symbol> = []
        let distinct = symbols.filter { seen.insert($0).inserted }
        return stride(from: 0, to: distinct.count, by: size).map { start in
            Array(distinct[start..<min(start + size, distinct.count)])
        }
    }

    /// Most symbols one connection carries (at least one) under `streamsPerConnection` (nil, or a
    /// value above `maximumStreamsPerConnection`: the exchange's own limit).
    public func symbolsPerConnection(streamsPerConnection: Int? = nil) -> Int {
        let limit = min(streamsPerConnection ?? maximumStreamsPerConnection, maximumStreamsPerConnection)
        return max(1, limit / Self.streamsPerSymbol)
    }
}
