import CoinfluxCore

/// Bybit's REST trade history and market list (bybit-exchange/docs `docs/v5/market/`):
///
/// - `GET /v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=60` (`recent-trade.mdx`): the
///   newest trades only, at most 60 for spot, no cursor; `result.list` of `{"execId":"2100000000007764263",
///   "symbol":"BTCUSDT","price":"16618.49","size":"0.00012","side":"Buy","time":"1672052955758",
///   "isBlockTrade":false}` (`side` is the taker's, as the stream's `S`; `time` a string of ms).
///   The order is not stated; the simulator lists newest first.
/// - `GET /v5/market/instruments-info?category=spot` (`instrument.mdx`): every spot symbol in one
///   reply (spot has no paging), `result.list` of `{"symbol":"BTCUSDT","baseCoin":"BTC",
///   "quoteCoin":"USDT","status":"Trading",…}`; spot lists `Trading` symbols only, a delisted one leaves.
/// - Errors: the envelope's non-zero `retCode`, e.g. `10001` "Not supported symbols".
extension BybitAdapter {
    /// Trades per page: the spot maximum `limit`.
    static let tradePageSize = 60

    /// The newest 60 trades and nothing older.
    public var tradeHistory: TradeHistoryAPI? {
        TradeHistoryAPI(paging: .newestOnly, pageSize: Self.tradePageSize)
    }

    /// `.newest` → `/v5/market/recent-trade`; nil for any older page.
    public func recentTradesPath(for symbol: Symbol, page: TradePage) -> String? {
        guard page == .newest else { return nil }
        return "/v5/market/recent-trade?category=spot&symbol=\(exchangeSymbol(for: symbol))&limit=\(Self.tradePageSize)"
    }

    /// Parses a `recent-trade` reply: the trades in the order listed, as the stream's
    /// `publicTrade` messages give them; no cursor.
    public func parseRecentTrades(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> TradeHistoryPage {
        try FrameParsing.parseTradePage(body, symbol: symbol) { reader in
            var trades: [MarketEvent] = []
            _ = try Self.parseEnvelope(&reader) { reader in
                trades.append(try Self.parseRESTTrade(&reader, receivedAt: receivedAt))
            }
            return TradeHistoryPage(trades: trades)
        }
    }

    private static func parseRESTTrade(_ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent {
        var symbol: Symbol?
        var price: Double?
        var size: Double?
        var time: Int64?
        var id: String?
        var side: MarketEvent.TakerSide?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "execId": id = try reader.readStringOrNumber()
            case "symbol": symbol = try readSymbol(&reader, field: "symbol")
            case "price": price = try reader.readDouble()
            case "size": size = try reader.readDouble()
            case "side": side = try readSide(&reader, field: "side")
            case "time": time = try reader.readInt64()
            default: break
            }
        }
        guard let symbol else { throw FrameError.missing("symbol") }
        guard let price else { throw FrameError.missing("price") }
        guard let size else { throw FrameError.missing("size") }
        guard let time else { throw FrameError.missing("time") }
        guard let id else { throw FrameError.missing("execId") }
        return tradeEvent(
            symbol: symbol, price: price, size: size, time: try FrameParsing.nanoseconds(milliseconds: time, field: "time"),
            id: id, side: side, receivedAt: receivedAt
        )
    }

    // MARK: Market list

    public var marketListPath: String? { "/v5/market/instruments-info?category=spot" }

    /// Parses `instruments-info`: every symbol whose code maps to its `baseCoin`-`quoteCoin` as the
    /// stream parser maps it, trading when `status` is `Trading`.
    public func parseMarketList(body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket] {
        try FrameParsing.parse(body) { reader in
            var markets: [ListedMarket] = []
            _ = try Self.parseEnvelope(&reader) { reader in
                if let market = try Self.parseInstrument(&reader) { markets.append(market) }
            }
            return markets
        }
    }

    /// One instrument; nil when its symbol does not map.
    private static func parseInstrument(_ reader: inout JSONReader) throws -> ListedMarket? {
        var code: String?
        var base: String?
        var quote: String?
        var status: JSONReader.StringView?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "symbol": code = try reader.readString()
            case "baseCoin": base = try reader.readString()
            case "quoteCoin": quote = try reader.readString()
            case "status": status = try reader.readStringView()
            default: break
            }
        }
        guard let code else { throw FrameError.missing("symbol") }
        guard let base else { throw FrameError.missing("baseCoin") }
        guard let quote else { throw FrameError.missing("quoteCoin") }
        guard let status else { throw FrameError.missing("status") }
        guard let symbol = MarketCode.listed(code: code, base: base, quote: quote, MarketCode.concatenated) else { return nil }
        return ListedMarket(symbol: symbol, isTrading: status == "Trading")
    }
}
