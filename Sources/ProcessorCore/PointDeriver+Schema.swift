import CoinfluxCore

/// The schema's measurements, escaped once (a literal would be escaped again on every line).
enum MeasurementName {
    static let candleOneMinute: LineProtocol.Measurement = "candle_1m"
    static let gap: LineProtocol.Measurement = "gap"
    static let marketStatus: LineProtocol.Measurement = "market_status"
    static let orderbook: LineProtocol.Measurement = "orderbook"
    static let premium: LineProtocol.Measurement = "premium"
    static let premiumExecutable: LineProtocol.Measurement = "premium_executable"
    static let ticker: LineProtocol.Measurement = "ticker"
    static let trade: LineProtocol.Measurement = "trade"
}

/// The schema's tag and field keys, escaped once.
enum Name {
    static let ask: LineProtocol.Key = "ask"
    static let askSize: LineProtocol.Key = "ask_size"
    static let askDepth10: LineProtocol.Key = "ask_depth_10bps"
    static let askDepth50: LineProtocol.Key = "ask_depth_50bps"
    static let askLevels: LineProtocol.Key = "ask_levels"
    static let base: LineProtocol.Key = "base"
    static let basis: LineProtocol.Key = "basis"
    static let bidDepth10: LineProtocol.Key = "bid_depth_10bps"
    static let bidDepth50: LineProtocol.Key = "bid_depth_50bps"
    static let bidLevels: LineProtocol.Key = "bid_levels"
    static let buyKRWFill: LineProtocol.Key = "buy_krw_fill"
    static let buyPremium: LineProtocol.Key = "buy_premium"
    static let buyReferenceFill: LineProtocol.Key = "buy_reference_fill"
    static let bid: LineProtocol.Key = "bid"
    static let backfilled: LineProtocol.Key = "backfilled"
    static let bidSize: LineProtocol.Key = "bid_size"
    static let caution: LineProtocol.Key = "caution"
    static let cautions: LineProtocol.Key = "cautions"
    static let cause: LineProtocol.Key = "cause"
    static let channel: LineProtocol.Key = "channel"
    static let changeRate: LineProtocol.Key = "change_rate"
    static let close: LineProtocol.Key = "close"
    static let complete: LineProtocol.Key = "complete"
    static let deviation: LineProtocol.Key = "deviation"
    static let duration: LineProtocol.Key = "duration"
    static let ema: LineProtocol.Key = "ema"
    static let end: LineProtocol.Key = "end"
    static let exchange: LineProtocol.Key = "exchange"
    static let flagged: LineProtocol.Key = "flagged"
    static let fxAgeSeconds: LineProtocol.Key = "fx_age_seconds"
    static let high: LineProtocol.Key = "high"
    static let imbalance: LineProtocol.Key = "imbalance"
    static let mid: LineProtocol.Key = "mid"
    static let high24h: LineProtocol.Key = "high_24h"
    static let krwPerUsd: LineProtocol.Key = "krw_per_usd"
    static let krwPerUsdt: LineProtocol.Key = "krw_per_usdt"
    static let low: LineProtocol.Key = "low"
    static let low24h: LineProtocol.Key = "low_24h"
    static let open: LineProtocol.Key = "open"
    static let open24h: LineProtocol.Key = "open_24h"
    static let premium: LineProtocol.Key = "premium"
    static let price: LineProtocol.Key = "price"
    static let quote: LineProtocol.Key = "quote"
    static let quoteVolume: LineProtocol.Key = "quote_volume"
    static let quoteVolume24h: LineProtocol.Key = "quote_volume_24h"
    static let recovered: LineProtocol.Key = "recovered"
    static let reference: LineProtocol.Key = "reference"
    static let referencePrice: LineProtocol.Key = "reference_price"
    static let repaired: LineProtocol.Key = "repaired"
    static let sellKRWFill: LineProtocol.Key = "sell_krw_fill"
    static let sellPremium: LineProtocol.Key = "sell_premium"
    static let sellReferenceFill: LineProtocol.Key = "sell_reference_fill"
    static let side: LineProtocol.Key = "side"
    static let sizeKRW: LineProtocol.Key = "size_krw"
    static let spreadBps: LineProtocol.Key = "spread_bps"
    static let size: LineProtocol.Key = "size"
    static let symbol: LineProtocol.Key = "symbol"
    static let tradeId: LineProtocol.Key = "trade_id"
    static let trades: LineProtocol.Key = "trades"
    static let unrecovered: LineProtocol.Key = "unrecovered"
    static let volume: LineProtocol.Key = "volume"
    static let volume24h: LineProtocol.Key = "volume_24h"
    static let warning: LineProtocol.Key = "warning"
}

/// The `side` tag values, escaped once.
let sideTags = TagTable<MarketEvent.TakerSide>()
/// The `cause` tag values of gaps, escaped once.
let causeTags = TagTable<SeriesGap.Cause>()
/// The `channel` tag values of gaps, escaped once.
let channelTags = TagTable<MarketEvent.Kind>()

/// The tag values of an enumeration's cases, escaped once.
struct TagTable<Value: CaseIterable & RawRepresentable & Hashable & Sendable>: Sendable where Value.RawValue == String {
    private let values: [Value: LineProtocol.TagValue] = Dictionary(uniqueKeysWithValues: Value.allCases.map { ($0, tagValue($0.rawValue)) })

    subscript(value: Value) -> LineProtocol.TagValue {
        values[value] ?? tagValue(value.rawValue)
    }
}
