/// The flags a Korean exchange puts on a market it considers risky: the investment warning
/// (유의 종목, Upbit `market_event.warning`, Bithumb `market_warning` `CAUTION`) and the alerts
/// (주의/경보: Upbit `market_event.caution`, Bithumb `virtual_asset_warning`), each named by the
/// exchange's own alert type (`PRICE_FLUCTUATIONS`, `PRICE_SUDDEN_FLUCTUATION`, …).
public struct MarketFlags: Sendable, Hashable {
    /// Whether the market is designated for investment warning.
    public var warning: Bool
    /// The alert types in force, sorted, each once.
    public private(set) var cautions: [String]

    /// - Parameter cautions: alert types in any order; duplicates are dropped.
    public init(warning: Bool = false, cautions: some Sequence<String> = [String]()) {
        self.warning = warning
        self.cautions = Set(cautions).sorted()
    }

    /// No warning and no alert.
    public static let none = MarketFlags()

    /// Whether the market has a warning or any alert.
    public var isFlagged: Bool { warning || !cautions.isEmpty }

    /// These flags with `other`'s added (a warning from either; the alerts of both).
    public func merged(with other: MarketFlags) -> MarketFlags {
        MarketFlags(warning: warning || other.warning, cautions: cautions + other.cautions)
    }

    /// Whether `text` can be an alert type: 1–64 upper-case ASCII letters, digits and `_`, so
    /// that it reads the same in JSON, line protocol and logs.
    public static func isCautionName(_ text: some Collection<UInt8>) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}

/// One market's flags as the collector read them from the exchange at `observedNanos`: carried on
/// `market.ticks` (`"type":"status"`) and written as the `market_status` measurement.
public struct MarketStatus: Sendable, Hashable {
    public var exchange: Exchange
    public var symbol: Symbol
    public var flags: MarketFlags
    /// When the collector read the flags, nanoseconds since the epoch.
    public var observedNanos: Int64

    public init(exchange: Exchange, symbol: Symbol, flags: MarketFlags, observedNanos: Int64) {
        self.exchange = exchange
        self.symbol = symbol
        self.flags = flags
        self.observedNanos = observedNanos
    }
}
