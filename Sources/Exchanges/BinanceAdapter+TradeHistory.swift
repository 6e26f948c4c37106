import CoinfluxCore

/// Binance's REST trade history and market list (binance-spot-api-docs `rest-api.md`):
///
/// - `GET /api/v3/historicalTrades?symbol=BTCUSDT&fromId=N&limit=1000`: trades from id N on;
///   `GET /api/v3/trades?symbol=BTCUSDT&limit=1000`: the newest. Both weigh 25 and answer an array,
///   oldest first, of `{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012",
///   "time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}`; `isBuyerMaker` is the stream's
///   `m`. The body does not name the market.
/// - `GET /api/v3/exchangeInfo` (weight 20): `symbols` of `{"symbol":"ETHBTC","status":"TRADING",
///   "baseAsset":"ETH","quoteAsset":"BTC","isSpotTradingAllowed":true,…}`; other statuses are
///   `BREAK`, `HALT` and the like.
/// - Errors: `{"code":-1121,"msg":"Invalid symbol."}` (HTTP 400).
extension BinanceAdapter {
    /// Trades per page: the documented maximum `limit`.
    static let tradePageSize = 1_000
    /// Request weight of one page of `/api/v3/trades` or `/api/v3/historicalTrades`, whatever its `limit`.
    static let tradePageWeight = 25
    /// Request weight of one REST pacer slot: the one-symbol 24 h ticker ``restRequestsPerSecond`` is sized for.
    static let pacerSlotWeight = 2

    /// Pages forward by trade id, which counts up by one per trade and symbol, 1 000 trades a page.
    ///
    /// A page weighs 25 and the REST pacer's slots are weight-2 ticker requests (10 a second:
    /// 20 weight/s, a fifth of the 6 000 per minute per IP), so a page takes ⌈25 / 2⌉ = 13 slots and
    /// a backfill alone sends at most 10 / 13 pages a second, 19.2 weight/s: within the budget.
    public var tradeHistory: TradeHistoryAPI? {
        TradeHistoryAPI(
            paging: .fromID, pageSize: Self.tradePageSize,
            requestCost: (Self.tradePageWeight + Self.pacerSlotWeight - 1) / Self.pacerSlotWeight
        )
    }

    /// `.newest` → `/api/v3/trades`, `.fromID` → `/api/v3/historicalTrades`; nil for a cursor or a negative id.
    public func recentTradesPath(for symbol: Symbol, page: TradePage) -> String? {
        let query = "?symbol=" + exchangeSymbol(for: symbol).uppercased()
        switch page {
        case .newest:
            return "/api/v3/trades\(query)&limit=\(Self.tradePageSize)"
        case .fromID(let id) where id >= 0:
            return "/api/v3/historicalTrades\(query)&fromId=\(id)&limit=\(Self.tradePageSize)"
        case .fromID, .olderThan:
            return nil
        }
    }

    /// Parses a page of `/api/v3/trades` or `/api/v3/historicalTrades`: the trades of `symbol` in
    /// the order listed (oldest first), as the stream's `trade` events would be; no cursor (pages
    /// follow from the ids).
    public func parseRecentTrades(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> TradeHistoryPage {
        try FrameParsing.parseTradePage(body, symbol: symbol) { reader in
            guard try reader.peekKind() == .array else {
                try Self.parseErrorReply(&reader)
                throw FrameError("expected an array of trades")
            }
            var trades: [MarketEvent] = []
            try reader.beginArray()
            while try reader.nextElement() {
                trades.append(try Self.parseRESTTrade(&reader, symbol: symbol, receivedAt: receivedAt))
            }
            return TradeHistoryPage(trades: trades)
        }
    }

    /// One element of a REST trade list.
    private static func parseRESTTrade(_ reader: inout JSONReader, symbol: Symbol, receivedAt: Int64) throws -> MarketEvent {
        var id: (text: String, number: Int64?)?
        var price: Double?
        var quantity: Double?
        var time: Int64?
        var buyerIsMaker: Bool?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "id": id = try reader.readIdentifier()
            case "price": price = try reader.readDouble()
            case "qty": quantity = try reader.readDouble()
            case "time": time = try reader.readInt64()
            case "isBuyerMaker": buyerIsMaker = try reader.readBool()
            default: break
            }
        }
        guard let id else { throw FrameError.missing("id") }
        guard let price else { throw FrameError.missing("price") }
        guard let quantity else { throw FrameError.missing("qty") }
        guard let time else { throw FrameError.missing("time") }
        return Trade.event(
            symbol: symbol, price: price, quantity: quantity, id: id,
            time: try FrameParsing.nanoseconds(milliseconds: time, field: "time"), buyerIsMaker: buyerIsMaker, receivedAt: receivedAt
        )
    }

    /// Reads an object that should be an error reply and throws it; returns when it is none.
    private static func parseErrorReply(_ reader: inout JSONReader) throws {
        var code: String?
        var message: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "code": code = try reader.readStringOrNumber()
            case "msg": message = try reader.readString()
            default: break
            }
        }
        try throwReply(code: code, message: message)
    }

    // MARK: Market list

    public var marketListPath: String? { "/api/v3/exchangeInfo" }

    /// Parses `exchangeInfo`: every spot symbol (`isSpotTradingAllowed` not false) whose code maps
    /// to its `baseAsset`-`quoteAsset` as the stream parser maps it, trading when `status` is `TRADING`.
    public func parseMarketList(body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket] {
        try FrameParsing.parse(body) { reader in
            var markets: [ListedMarket]?
            var code: String?
            var message: String?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "symbols":
                    var listed: [ListedMarket] = []
                    try reader.beginArray()
                    while try reader.nextElement() {
                        if let market = try Self.parseListedSymbol(&reader) { listed.append(market) }
                    }
                    markets = listed
                case "code": code = try reader.readStringOrNumber()
                case "msg": message = try reader.readString()
                default: break
                }
            }
            try Self.throwReply(code: code, message: message)
            guard let markets else { throw FrameError.missing("symbols") }
            return markets
        }
    }

    /// One element of `symbols`; nil when it is not a spot market coinflux can map.
    private static func parseListedSymbol(_ reader: inout JSONReader) throws -> ListedMarket? {
        var code: String?
        var status: JSONReader.StringView?
        var base: String?
        var quote: String?
        var isSpot = true
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "symbol": code = try reader.readString()
            case "status": status = try reader.readStringView()
            case "baseAsset": base = try reader.readString()
            case "quoteAsset": quote = try reader.readString()
            case "isSpotTradingAllowed": isSpot = try reader.readBool()
            default: break
            }
        }
        guard let code else { throw FrameError.missing("symbol") }
        guard let status else { throw FrameError.missing("status") }
        guard let base else { throw FrameError.missing("baseAsset") }
        guard let quote else { throw FrameError.missing("quoteAsset") }
        guard isSpot, let symbol = MarketCode.listed(code: code, base: base, quote: quote, MarketCode.concatenated) else { return nil }
        return ListedMarket(symbol: symbol, isTrading: status == "TRADING")
    }
}
