import CoinfluxCore

/// Where the FX source's USD/KRW rates go (the FX topic, which every processor reads in full). Must not block.
public protocol FXRateSink: Sendable {
    /// Takes one rate; false when it could not (counted as dropped by the sink).
    @discardableResult
    func publish(_ rate: FXRate) -> Bool
}
