import CoinfluxCore
import Foundation

/// What the simulator draws from its seeded generator.
extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal (Box–Muller).
    mutating func nextGaussian() -> Double {
        let radius = (-2 * log(1 - nextUnit())).squareRoot()
        return radius * cos(2 * Double.pi * nextUnit())
    }

    /// FNV-1a of `text`, mixed into `seed`: a stable per-market seed (Swift's `Hasher` is
    /// randomized per process, so it cannot make runs repeatable).
    static func derive(seed: UInt64, _ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// Plausible price levels: every market's walk reverts to the level computed here.
///
/// USD levels per asset; KRW markets are the USD level times `krwPerUSDT` times a small
/// premium, so the cross-exchange premium coinflux computes stays small (about +0.3 %).
enum ReferencePrices {
    /// KRW per USDT: the level of the `USDT-KRW` markets (about 1 400).
    static let krwPerUSDT = 1_400.0
    /// KRW per US dollar that the simulator's FX source serves: below `krwPerUSDT`, so the tether
    /// premium is about +1.4 %, as it often is in Korea.
    static let krwPerUSD = 1_380.0
    /// Premium of KRW markets over USDT markets converted at `krwPerUSDT`.
    static let krwPremium = 0.003

    /// The price `symbol` starts at and reverts to.
    static func level(of symbol: Symbol) -> Double {
        let base = usdValue(of: symbol.base)
        guard symbol.quote == "KRW" else {
            return base / usdValue(of: symbol.quote)
        }
        let converted = base * krwPerUSDT
        return isDollarToken(symbol.base) ? converted : converted * (1 + krwPremium)
    }

    /// The exchange-style price increment for a price level and quote currency.
    static func tickSize(price: Double, quote: String) -> Double {
        if quote == "KRW" {
            switch price {
            case 2_000_000...: return 1_000
            case 1_000_000...: return 500
            case 100_000...: return 50
            case 10_000...: return 10
            case 1_000...: return 1
            case 100...: return 0.1
            case 10...: return 0.01
            case 1...: return 0.001
            default: return 0.0001
            }
        }
        switch price {
        case 1_000...: return 0.01
        case 10...: return 0.001
        case 1...: return 0.0001
        default: return 0.00001
        }
    }

    /// Digits after the decimal point needed to print multiples of `increment`.
    static func fractionDigits(of increment: Double) -> Int {
        var digits = 0
        var scaled = increment
        while digits < 8, (scaled - scaled.rounded()).magnitude > 1e-9 {
            scaled *= 10
            digits += 1
        }
        return digits
    }

    static func usdValue(of asset: String) -> Double {
        switch asset {
        case "BTC": 64_000
        case "ETH": 3_200
        case "BNB": 580
        case "SOL": 150
        case "AVAX": 35
        case "LINK": 14
        case "DOT": 7
        case "XRP": 0.55
        case "ADA": 0.45
        case "DOGE": 0.16
        case "TRX": 0.12
        case "BCH": 450
        case "LTC": 80
        case "AAVE": 150
        case "INJ": 20
        case "ETC": 20
        case "UNI": 8
        case "APT": 8
        case "ICP": 8
        case "ATOM": 6
        case "NEAR": 5
        case "TON": 5
        case "FIL": 4
        case "SUI": 2
        case "OP": 1.5
        case "STX": 1.5
        case "MNT": 0.7
        case "ARB": 0.5
        case "SEI": 0.3
        case "XLM": 0.1
        case "HBAR": 0.08
        case "KRW": 1 / krwPerUSDT
        default: 1  // dollar tokens and assets without a listed level
        }
    }

    static func isDollarToken(_ asset: String) -> Bool {
        ["USDT", "USDC", "FDUSD", "BUSD", "TUSD", "DAI"].contains(asset)
    }
}
