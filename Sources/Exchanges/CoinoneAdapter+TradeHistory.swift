import CoinfluxCore

/// Coinone's REST trade history and market list (docs.coinone.co.kr, public API v2):
///
/// - `GET /public/v2/trades/KRW/BTC?size=200` (최근 체결 주문 조회, "최신 순"): the newest trades only,
///   `size` one of 10, 50, 100, 150, 200, no cursor; `{"result":"success","error_code":"0",
///   "server_time":ms,"quote_currency":"KRW","target_currency":"BTC","transactions":[{"id":"…",
///   "timestamp":ms,"price":"…","qty":"…","is_seller_maker":true}]}`, newest first. The members are
///   the stream trade's and are read the same way: that page explains `is_seller_maker` as "true인
///   경우 매도" (true: sell), against the stream's meaning used here (true: the taker bought), so a
///   trade gets the same side whichever way it arrives.
/// - `GET /public/v2/markets/KRW`: `markets` of `{"quote_currency":"KRW","target_currency":"BTC",
///   …,"maintenance_status":0,"trade_status":1,…}` (not in the stored copies of the docs; the shape
///   the simulator serves). A delisted market leaves the list.
/// - Errors: `{"result":"error","error_code":"107","error_msg":"Parameter value is wrong"}`.
extension CoinoneAdapter {
    /// Trades per page: the largest `size`.
    static let tradePageSize = 200

    /// The newest 200 trades and nothing older.
    public var tradeHistory: TradeHistoryAPI? {
        TradeHistoryAPI(paging: .newestOnly, pageSize: Self.tradePageSize)
    }

    /// `.newest` → `/public/v2/trades/KRW/BTC?size=200`; nil for any older page.
    public func recentTradesPath(for symbol: Symbol, page: TradePage) -> String? {
        guard page == .newest else { return nil }
        return "/public/v2/trades/\(exchangeSymbol(for: symbol))?size=\(Self.tradePageSize)"
    }

    /// Parses a `trades` reply: the trades in the order listed, as the stream's `TRADE` messages give
    /// them (the market is named once, beside `transactions`); no cursor.
    public func parseRecentTrades(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> TradeHistoryPage {
        try FrameParsing.parseTradePage(body, symbol: symbol) { reader in
            var quote: String?
            var target: String?
            var transactions: [Fields]?
            try Self.parseReply(&reader) { key, reader in
                if key == "quote_currency" {
                    quote = try Fields.asset(&reader, field: "quote_currency")
                } else if key == "target_currency" {
                    target = try Fields.asset(&reader, field: "target_currency")
                } else if key == "transactions" {
                    var list: [Fields] = []
                    try reader.beginArray()
                    while try reader.nextElement() {
                        list.append(try Fields(&reader))
                    }
                    transactions = list
                }
            }
            guard let transactions else { throw FrameError.missing("transactions") }
            let trades = try transactions.map { trade in
                var trade = trade
                trade.quote = trade.quote ?? quote
                trade.target = trade.target ?? target
                return try trade.event(.trade, receivedAt: receivedAt)
            }
            return TradeHistoryPage(trades: trades)
        }
    }

    // MARK: Market list

    public var marketListPath: String? { "/public/v2/markets/KRW" }

    /// Parses `markets`: every market whose currencies map, trading unless `trade_status` is other
    /// than 1 or `maintenance_status` other than 0 (each read as trading when absent).
    public func parseMarketList(body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket] {
        try FrameParsing.parse(body) { reader in
            var markets: [ListedMarket]?
            try Self.parseReply(&reader) { key, reader in
                guard key == "markets" else { return }
                var listed: [ListedMarket] = []
                try reader.beginArray()
                while try reader.nextElement() {
                    if let market = try Self.parseListedMarket(&reader) { listed.append(market) }
                }
                markets = listed
            }
            guard let markets else { throw FrameError.missing("markets") }
            return markets
        }
    }

    /// One element of `markets`; nil when a currency does not map.
    private static func parseListedMarket(_ reader: inout JSONReader) throws -> ListedMarket? {
        var quote: JSONReader.StringView?
        var target: JSONReader.StringView?
        var tradeStatus = "1"
        var maintenanceStatus = "0"
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "quote_currency": quote = try reader.readStringView()
            case "target_currency": target = try reader.readStringView()
            case "trade_status": tradeStatus = try reader.readStringOrNumber()
            case "maintenance_status": maintenanceStatus = try reader.readStringOrNumber()
            default: break
            }
        }
        guard let quote else { throw FrameError.missing("quote_currency") }
        guard let target else { throw FrameError.missing("target_currency") }
        guard !quote.hasEscapes, !target.hasEscapes,
              let quoteAsset = MarketCode.asset(quote.rawBytes), let targetAsset = MarketCode.asset(target.rawBytes)
        else { return nil }
        return ListedMarket(symbol: Symbol(base: targetAsset, quote: quoteAsset), isTrading: tradeStatus == "1" && maintenanceStatus == "0")
    }
}
