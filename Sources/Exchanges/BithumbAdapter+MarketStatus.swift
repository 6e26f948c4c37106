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
        try FrameParsing.parse(body) { reader in
            try UpbitFormat.expectArray(&reader, of: "markets")
            var statuses: [Symbol: MarketFlags] = [:]
            try reader.beginArray()
            while try reader.nextElement() {
                var code: JSONReader.StringView?
                var warning: Bool?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "market": code = try reader.readStringView()
                    case "market_warning":
                        let value = try reader.readStringView()
                        if value == "NONE" {
                            warning = false
                        } else if value == "CAUTION" {
                            warning = true
                        } else {
                            throw FrameError("market_warning \(value.description.prefix(64)) is neither NONE nor CAUTION")
                        }
                    default: try reader.skipValue()
                    }
                }
                guard let code else { throw FrameError.missing("market") }
                guard let warning else { throw FrameError.missing("market_warning") }
                if let symbol = try MarketCode.decoded(code, MarketCode.quoteDashBase) { statuses[symbol] = MarketFlags(warning: warning) }
            }
            return statuses
        }
    }

    /// The alerts of each mapped market in a `/v1/market/virtual_asset_warning` body.
    static func parseAlerts(_ body: UnsafeRawBufferPointer) throws(FrameError) -> [Symbol: MarketFlags] {
        try FrameParsing.parse(body) { reader in
            try UpbitFormat.expectArray(&reader, of: "alerts")
            var statuses: [Symbol: MarketFlags] = [:]
            try reader.beginArray()
            while try reader.nextElement() {
                var code: JSONReader.StringView?
                var type: String?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "market": code = try reader.readStringView()
                    case "warning_type": type = try FrameParsing.cautionName(try reader.readStringView())
                    default: try reader.skipValue()
                    }
                }
                guard let code else { throw FrameError.missing("market") }
                guard let type else { throw FrameError.missing("warning_type") }
                if let symbol = try MarketCode.decoded(code, MarketCode.quoteDashBase) {
                    statuses[symbol] = (statuses[symbol] ?? .none).merged(with: MarketFlags(cautions: [type]))
                }
            }
            return statuses
        }
    }
}
