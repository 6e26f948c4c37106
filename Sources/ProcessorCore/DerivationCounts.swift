import CoinfluxCore

/// What derivation did, accumulated over many events for the metrics: points per measurement and
/// events left out, by reason.
public struct DerivationCounts: Sendable, Hashable {
    public var tickers = 0
    public var trades = 0
    public var premiums = 0
    public var candles = 0
    /// `gap` points.
    public var gaps = 0
    /// `orderbook` points.
    public var orderbooks = 0
    /// `premium_executable` points.
    public var executablePremiums = 0
    /// `market_status` points.
    public var marketStatuses = 0
    /// Ticks with a NaN, infinite, zero or negative price (or trade size).
    public var invalidPrices = 0
    /// Ticker ticks older than the series' last one: left out of the statistics.
    public var outOfOrder = 0
    /// Trades for a candle beyond the revision horizon.
    public var lateTrades = 0
    /// Trades whose id was applied already (dropped).
    public var duplicateTrades = 0
    /// Candles written again because a late trade arrived within the horizon.
    public var revisedCandles = 0
    /// Points the encoder refused (a tag value that cannot be written).
    public var unencodable = 0

    public init() {}

    mutating func count(_ outcome: LineProtocol.Outcome, _ written: WritableKeyPath<DerivationCounts, Int>) {
        if outcome.isWritten { self[keyPath: written] += 1 } else { unencodable += 1 }
    }
}
