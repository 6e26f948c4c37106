import CoinfluxCore
import NIOConcurrencyHelpers

/// The warning and alert flags the simulator's Upbit and Bithumb markets carry (none until set),
/// served by their `/v1/market/all` with details and Bithumb's `/v1/market/virtual_asset_warning`.
final class MarketFlagBoard: Sendable {
    private let flags = NIOLockedValueBox<[Exchange: [Symbol: MarketFlags]]>([:])

    /// The exchanges whose markets can be flagged.
    static let exchanges: Set<Exchange> = [.upbit, .bithumb]

    /// Replaces `symbol`'s flags on `exchange` (``MarketFlags/none`` clears them).
    func set(_ marketFlags: MarketFlags, of symbol: Symbol, on exchange: Exchange) {
        flags.withLockedValue { $0[exchange, default: [:]][symbol] = marketFlags.isFlagged ? marketFlags : nil }
    }

    /// The flags of `symbol` on `exchange`.
    func flags(of symbol: Symbol, on exchange: Exchange) -> MarketFlags {
        flags.withLockedValue { $0[exchange]?[symbol] } ?? .none
    }
}
