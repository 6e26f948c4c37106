import CoinfluxCore
import Foundation

/// Recent trades and the market list in the Upbit format (Upbit, Bithumb v1):
///
/// - `GET /v1/trades/ticks?market=KRW-BTC&count=500[&cursor=<sequential_id>]`: an array, newest
///   first, of `{"market":"KRW-BTC","trade_date_utc":"2024-10-31","trade_time_utc":"01:07:42",
///   "timestamp":1730336862047,"trade_price":100150000.0,"trade_volume":0.0004992,
///   "prev_closing_price":…,"change_price":…,"ask_bid":"ASK","sequential_id":17303368620470000}`.
///   `timestamp` is the trade's time (the stream's `trade_timestamp`); `sequential_id` is unique but
///   not ordered. The docs (docs.upbit.com, apidocs.bithumb.com, 최근 체결 내역) state neither the
///   largest `count` nor the order: 500 and newest first are what client libraries and the
///   simulator use. Without `days_ago` a request stays within the most recent trade's UTC day.
/// - `GET /v1/market/all`: an array of `{"market":"KRW-BTC","korean_name":…,"english_name":…}`,
///   with warning fields when asked (`market_warning`, `market_event`); a delisted market leaves it.
/// - Errors: `{"error":{"name":404,"message":"Code not found"}}`.
extension UpbitCompatibleAdapter {
    /// Pages back from the newest, 500 trades a page, each page naming the next older one's cursor.
    public var tradeHistory: TradeHistoryAPI? {
        TradeHistoryAPI(paging: .olderThanCursor, pageSize: UpbitFormat.tradePageSize)
    }

    /// `.newest` and `.olderThan(cursor:)` → `/v1/trades/ticks`; nil for `.fromID` (ids are not consecutive).
    public func recentTradesPath(for symbol: Symbol, page: TradePage) -> String? {
        let path = "/v1/trades/ticks?market=\(exchangeSymbol(for: symbol))&count=\(UpbitFormat.tradePageSize)"
        switch page {
        case .newest:
            return path
        case .olderThan(let cursor):
            return cursor.addingPercentEncoding(withAllowedCharacters: UpbitFormat.cursorCharacters).map { path + "&cursor=" + $0 }
        case .fromID:
            return nil
        }
    }

    /// Parses a page of `/v1/trades/ticks`: the trades in the order listed (newest first), as the
    /// stream's `trade` frames give them except for the best bid and ask, which only stream trades
    /// carry. The older page's cursor is the `sequential_id` of the last (oldest) trade; nil when the
    /// page holds fewer than ``UpbitFormat/tradePageSize`` trades, the most it could.
    public func parseRecentTrades(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> TradeHistoryPage {
        try FrameParsing.parseTradePage(body, symbol: symbol) { reader in
            try UpbitFormat.expectArray(&reader, of: "trades")
            var trades: [MarketEvent] = []
            var oldestID: String?
            try reader.beginArray()
            while try reader.nextElement() {
                let fields = try UpbitFormat.Fields(&reader)
                guard fields.symbol != nil else { throw FrameError.missing("market") }
                guard fields.timestamp != nil else { throw FrameError.missing("timestamp") }
                guard let id = fields.sequentialID else { throw FrameError.missing("sequential_id") }
                // No `trade_timestamp`, `trade_date` or `trade_time` here: the time is `timestamp`.
                trades.append(try fields.event(.trade, exchange: exchange, timeOffsetSeconds: 0, receivedAt: receivedAt))
                oldestID = id.text
            }
            return TradeHistoryPage(trades: trades, olderCursor: trades.count < UpbitFormat.tradePageSize ? nil : oldestID)
        }
    }

    public var marketListPath: String? { UpbitFormat.marketListPath }

    public func parseMarketList(body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket] {
        try UpbitFormat.parseMarketList(body)
    }
}

extension UpbitFormat {
    /// Trades per `/v1/trades/ticks` page (`count`).
    static let tradePageSize = 500
    /// The market list, on Upbit and on both Bithumb APIs' host.
    static let marketListPath = "/v1/market/all"
    /// Characters a cursor keeps in a query unescaped (a `sequential_id` is digits).
    static let cursorCharacters = CharacterSet(charactersIn: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Parses `/v1/market/all`: every market whose `market` code maps (`KRW-BTC`), all trading
    /// (the list holds listed markets only). Warnings (`market_warning` `CAUTION`,
    /// `market_event.warning`) mark markets that still trade, so they change nothing here.
    static func parseMarketList(_ body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket] {
        try FrameParsing.parse(body) { reader in
            try expectArray(&reader, of: "markets")
            var markets: [ListedMarket] = []
            try reader.beginArray()
            while try reader.nextElement() {
                var code: JSONReader.StringView?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "market" { code = try reader.readStringView() }
                }
                guard let code else { throw FrameError.missing("market") }
                if let symbol = try MarketCode.decoded(code, MarketCode.quoteDashBase) {
                    markets.append(ListedMarket(symbol: symbol, isTrading: true))
                }
            }
            return markets
        }
    }
}
