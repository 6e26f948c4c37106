import CoinfluxCore

extension SimulatorConfiguration {
    /// The markets each exchange lists by default, busiest first: its main quote currency for
    /// each asset, plus a few markets in other quotes so `all` over a set of quotes means something.
    public static let defaultMarkets: [Exchange: [Symbol]] = [
        .binance: symbols(
            quote: "USDT",
            ["BTC", "ETH", "BNB", "SOL", "XRP", "DOGE", "ADA", "TRX", "AVAX", "LINK", "DOT", "LTC", "BCH", "UNI", "ATOM",
             "XLM", "ETC", "FIL", "APT", "ARB", "OP", "NEAR", "ICP", "HBAR", "SUI", "AAVE", "INJ", "TON", "USDC", "FDUSD"]
        ) + symbols(quote: "BTC", ["ETH", "BNB", "SOL", "XRP"]),
        .bybit: symbols(
            quote: "USDT",
            ["BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "TRX", "AVAX", "LINK", "DOT", "LTC", "BCH", "UNI", "ATOM", "XLM",
             "ETC", "FIL", "APT", "ARB", "OP", "NEAR", "SUI", "AAVE", "TON", "MNT", "USDC"]
        ) + symbols(quote: "USDC", ["BTC", "ETH"]) + symbols(quote: "BTC", ["ETH"]),
        .upbit: symbols(
            quote: "KRW",
            ["BTC", "ETH", "XRP", "SOL", "DOGE", "USDT", "ADA", "TRX", "AVAX", "LINK", "DOT", "ETC", "BCH", "SUI", "APT",
             "ARB", "NEAR", "HBAR", "AAVE", "STX", "SEI", "USDC", "XLM", "ATOM"]
        ) + symbols(quote: "BTC", ["ETH", "XRP", "SOL"]) + symbols(quote: "USDT", ["BTC", "ETH"]),
        .bithumb: symbols(
            quote: "KRW",
            ["BTC", "ETH", "XRP", "SOL", "DOGE", "USDT", "ADA", "TRX", "AVAX", "LINK", "DOT", "ETC", "BCH", "SUI", "APT",
             "ARB", "NEAR", "HBAR", "AAVE", "USDC", "XLM", "ATOM"]
        ) + symbols(quote: "BTC", ["ETH"]),
        .coinone: symbols(
            quote: "KRW",
            ["BTC", "ETH", "XRP", "SOL", "DOGE", "USDT", "ADA", "TRX", "AVAX", "LINK", "DOT", "ETC", "BCH", "SUI", "APT",
             "ARB", "NEAR", "HBAR", "USDC", "XLM", "ATOM"]
        ),
    ]

    private static func symbols(quote: String, _ bases: [String]) -> [Symbol] {
        bases.map { Symbol(base: $0, quote: quote) }
    }
}

/// Display names of the assets, for the Korean exchanges' market lists.
enum AssetNames {
    static func english(_ asset: String) -> String {
        names[asset]?.english ?? asset
    }

    static func korean(_ asset: String) -> String {
        names[asset]?.korean ?? asset
    }

    private static let names: [String: (english: String, korean: String)] = [
        "BTC": ("Bitcoin", "비트코인"), "ETH": ("Ethereum", "이더리움"), "XRP": ("XRP", "엑스알피(리플)"),
        "SOL": ("Solana", "솔라나"), "DOGE": ("Dogecoin", "도지코인"), "USDT": ("Tether", "테더"),
        "ADA": ("Cardano", "에이다"), "TRX": ("TRON", "트론"), "AVAX": ("Avalanche", "아발란체"),
        "LINK": ("Chainlink", "체인링크"), "DOT": ("Polkadot", "폴카닷"), "ETC": ("Ethereum Classic", "이더리움클래식"),
        "BCH": ("Bitcoin Cash", "비트코인캐시"), "SUI": ("Sui", "수이"), "APT": ("Aptos", "앱토스"),
        "ARB": ("Arbitrum", "아비트럼"), "NEAR": ("NEAR Protocol", "니어프로토콜"), "HBAR": ("Hedera", "헤데라"),
        "AAVE": ("Aave", "에이브"), "STX": ("Stacks", "스택스"), "SEI": ("Sei", "세이"), "USDC": ("USD Coin", "유에스디코인"),
        "XLM": ("Stellar Lumens", "스텔라루멘"), "ATOM": ("Cosmos", "코스모스"),
    ]
}
