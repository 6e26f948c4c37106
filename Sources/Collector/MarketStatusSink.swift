import CoinfluxCore

/// Where markets' status flags go (`market.ticks`, keyed by base asset). Must not block.
public protocol MarketStatusSink: Sendable {
    /// Takes one status; false when it could not (counted as dropped by the sink).
    @discardableResult
    func publish(_ status: MarketStatus) -> Bool
}
