import CoinfluxCore

/// Where synchronised order books go (`market.books`). Must not block.
public protocol BookSink: Sendable {
    /// Takes one book; false when it could not (counted as dropped by the sink).
    @discardableResult
    func publish(_ book: BookUpdate) -> Bool
}
