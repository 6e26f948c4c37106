import CoinfluxCore

/// Bithumb's legacy API has no trade history usable for a backfill: `GET /public/transaction_history/{BASE}_{QUOTE}`
/// (apidocs.bithumb.com) returns at most 100 trades without ids, so recovered trades could not be told
/// from those already received. Its market list is the one on the same host that the v1 API serves,
/// `GET /v1/market/all` (``UpbitFormat``): the markets are the exchange's, whichever API streams them.
extension BithumbLegacyAdapter {
    public var tradeHistory: TradeHistoryAPI? { nil }

    public func recentTradesPath(for symbol: Symbol, page: TradePage) -> String? { nil }

    /// Always throws: there is no trade history to parse.
    public func parseRecentTrades(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> TradeHistoryPage {
        throw FrameError("Bithumb's legacy API has no trade history with trade ids")
    }

    public var marketListPath: String? { UpbitFormat.marketListPath }

    public func parseMarketList(body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket] {
        try UpbitFormat.parseMarketList(body)
    }
}
