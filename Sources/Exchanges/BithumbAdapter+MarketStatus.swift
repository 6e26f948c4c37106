import CoinfluxCore

/// Bithumb's market flags (v1 API, apidocs.bithumb.com), from two requests:
///
/// - `GET /v1/market/all?isDetails=true` (시세 종목 조회): an array of `{"market":"KRW-BTC",
///   "korean_name":…,"english_name":…,"market_warning":"NONE"}`; `market_warning` `CAUTION` is the
///   investment warning (유의 종목), `NONE` none.
/// - `GET /v1/market/virtual_asset_warning` (경보제): the markets under alert, an array of
///   `{"market":"KRW-BTC","warning_type":"PRICE_SUDDEN_FLUCTUATION","end_date":"2025-01-01 12:00:00",…}`
///   (`end_date` KST), one element per alert. The types documented are PRICE_SUDDEN_FLUCTUATION,
///   TRADING_VOLUME_SUDDEN_FLUCTUATION, DEPOSIT_AMOUNT_SUDDEN_FLUCTUATION, PRICE_DIFFERENCE_HIGH,
///   SPECIFIC_ACCOUNT_HIGH_TRANSACTION and EXCHANGE_TRADING_CONCENTRATION; others are kept as
///   named. The alert's stage has a field whose name is not confirmed: it is not read, nor is
///   `end_date` (a listed alert is in force).
///
/// Both count against Bithumb's "other" category (market information and alerts).
extension BithumbAdapter: MarketStatusAdapter {
    public var marketStatusPaths: [String] { [UpbitFormat.marketListPath + "?isDetails=true", "/v1/market/virtual_asset_warning"] }

    public func parseMarketStatuses(bodies: [[UInt8]]) throws(FrameError) -> [Symbol: MarketFlags] {
        try FrameParsing.parseBodies(bodies, count: 2) { buffers throws(FrameError) in
            var statuses = try Self.parseMarketWarnings(buffers[0])
            for (symbol, flags) in try Self.parseAlerts(buffers[1]) {
                statuses[symbol] = (statuses[symbol] ?? .none).merged(with: flags)
            }
            return statuses
        }
    }

    /// The investment warning of each mapped market in a `/v1/market/all?isDetails=true` body.
    static func parseMarketWarnings(_ body: UnsafeRawBufferPointer) throws(FrameError) -> [Symbol: MarketFlags] {
        let listed = try UpbitFormat.parseMarketFlags(body, of: "markets", member: "market_warning") { reader in
            let value = try reader.readStringView()
            if value == "NONE" { return MarketFlags(warning: false) }
            if value == "CAUTION" { return MarketFlags(warning: true) }
            throw FrameError("market_warning \(value.description.prefix(64)) is neither NONE nor CAUTION")
        }
        return Dictionary(listed, uniquingKeysWith: { _, last in last })
    }

    /// The alerts of each mapped market in a `/v1/market/virtual_asset_warning` body (one element
    /// per alert: a market's alerts are merged).
    static func parseAlerts(_ body: UnsafeRawBufferPointer) throws(FrameError) -> [Symbol: MarketFlags] {
        let listed = try UpbitFormat.parseMarketFlags(body, of: "alerts", member: "warning_type") { reader in
            MarketFlags(cautions: [try FrameParsing.cautionName(try reader.readStringView())])
        }
        return Dictionary(listed, uniquingKeysWith: { first, next in first.merged(with: next) })
    }
}
