import CoinfluxCore

/// Upbit's market flags: `GET /v1/market/all?is_details=true` (docs.upbit.com, 마켓 코드 조회), an
/// array of `{"market":"KRW-ETH","korean_name":…,"english_name":…,"market_event":{"warning":true,
/// "caution":{"PRICE_FLUCTUATIONS":false,"TRADING_VOLUME_SOARING":false,"DEPOSIT_AMOUNT_SOARING":false,
/// "GLOBAL_PRICE_DIFFERENCES":false,"CONCENTRATION_OF_SMALL_ACCOUNTS":false}}}`.
///
/// `warning` is the investment warning (유의 종목); a `caution` flag is true at any alert stage
/// (the stage is not exposed). Every caution key that is true is kept, known or not. The old
/// `market_warning` field was removed from this list on 2024-11-20 and is not read. The request
/// counts against the 10 req/s of Upbit's `market` group.
extension UpbitAdapter: MarketStatusAdapter {
    public var marketStatusPaths: [String] { [UpbitFormat.marketListPath + "?is_details=true"] }

    public func parseMarketStatuses(bodies: [[UInt8]]) throws(FrameError) -> [Symbol: MarketFlags] {
        try FrameParsing.parseBodies(bodies, count: 1) { buffers throws(FrameError) in try Self.parseMarketEvents(buffers[0]) }
    }

    /// The flags of each mapped market in a `/v1/market/all?is_details=true` body.
    static func parseMarketEvents(_ body: UnsafeRawBufferPointer) throws(FrameError) -> [Symbol: MarketFlags] {
        let listed = try UpbitFormat.parseMarketFlags(body, of: "markets", member: "market_event", read: parseMarketEvent)
        return Dictionary(listed, uniquingKeysWith: { _, last in last })
    }

    /// `{"warning":bool,"caution":{"TYPE":bool,…}}`: both members required.
    private static func parseMarketEvent(_ reader: inout JSONReader) throws -> MarketFlags {
        var warning: Bool?
        var cautions: [String]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "warning": warning = try reader.readBool()
            case "caution":
                var raised: [String] = []
                try reader.beginObject()
                while let type = try reader.nextKey() {
                    let name = try FrameParsing.cautionName(type)
                    if try reader.readBool() { raised.append(name) }
                }
                cautions = raised
            default: try reader.skipValue()
            }
        }
        guard let warning else { throw FrameError.missing("market_event.warning") }
        guard let cautions else { throw FrameError.missing("market_event.caution") }
        return MarketFlags(warning: warning, cautions: cautions)
    }
}
