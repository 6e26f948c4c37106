import CoinfluxCore

/// Which of Bithumb's two public APIs to speak (configuration switch).
public enum BithumbAPI: String, Sendable, Hashable, CaseIterable {
    /// The current, Upbit-compatible API (``BithumbAdapter``).
    case v1
    /// The legacy `pubwss` API (``BithumbLegacyAdapter``).
    case legacy
}

/// The adapter of every exchange. Adding an exchange is its adapter file plus one line here.
public enum ExchangeRegistry {
    /// The adapter that speaks for `exchange`.
    /// - Parameter bithumbAPI: which Bithumb API to use; ignored for the other exchanges.
    public static func adapter(for exchange: Exchange, bithumbAPI: BithumbAPI = .v1) -> any ExchangeAdapter {
        switch exchange {
        case .binance: BinanceAdapter()
        case .upbit: UpbitAdapter()
        case .bybit: BybitAdapter()
        case .bithumb: bithumbAPI == .v1 ? BithumbAdapter() : BithumbLegacyAdapter()
        case .coinone: CoinoneAdapter()
        }
    }

    /// Every adapter, both Bithumb APIs included (for tests, fuzzers and tools that take any frame).
    public static var all: [any ExchangeAdapter] {
        Exchange.allCases.map { adapter(for: $0) } + [adapter(for: .bithumb, bithumbAPI: .legacy)]
    }
}
