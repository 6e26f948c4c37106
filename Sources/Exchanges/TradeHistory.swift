import CoinfluxCore

/// How an exchange serves its recent trades over REST, for the collector's backfill after a gap.
/// An adapter that has none (Bithumb legacy: no trade ids) returns nil from
/// ``ExchangeAdapter/tradeHistory``.
public struct TradeHistoryAPI: Sendable, Equatable {
    /// How pages are asked for.
    public enum Paging: Sendable, Equatable {
        /// Forward from a trade id (Binance `historicalTrades?fromId=`): ids count up by one per
        /// trade and symbol, so a gap's size is known and it is fetched exactly.
        case fromID
        /// Backward from the newest, each page naming the cursor of the next older one (Upbit and
        /// Bithumb v1 `cursor` = a `sequential_id`).
        case olderThanCursor
        /// The newest page only: history reaches back one page (Bybit spot, Coinone).
        case newestOnly
    }

    public var paging: Paging
    /// Most trades one request returns (the exchange's documented maximum).
    public var pageSize: Int
    /// Slots of the exchange's REST pacer one page takes: the pacer sends
    /// ``ExchangeAdapter/restRequestsPerSecond`` requests of the kind that budget is sized for
    /// (Binance: one-symbol tickers of weight 2), and a heavier page takes as many slots as it
    /// weighs (Binance: weight 25, so ⌈25 / 2⌉ = 13).
    public var requestCost: Int

    public init(paging: Paging, pageSize: Int, requestCost: Int = 1) {
        self.paging = paging
        self.pageSize = pageSize
        self.requestCost = requestCost
    }
}

/// Which page of recent trades to ask for.
public enum TradePage: Sendable, Equatable {
    /// The most recent trades.
    case newest
    /// The page older than `cursor`, as a previous page named it in
    /// ``TradeHistoryPage/olderCursor`` (``TradeHistoryAPI/Paging/olderThanCursor``).
    case olderThan(cursor: String)
    /// Trades from this id on, ascending (``TradeHistoryAPI/Paging/fromID``).
    case fromID(Int64)
}

/// One page of recent trades as the exchange returned it.
public struct TradeHistoryPage: Sendable, Equatable {
    /// The page's trades as events (kind `.trade`, `isBackfilled` true, the receive time given to
    /// the parser), in the order the exchange listed them. Each equals the event the WebSocket
    /// parser gives the same trade but for those two (and, in the Upbit format, the best bid and ask
    /// that only stream trades carry), so trade ids de-duplicate across both.
    public var trades: [MarketEvent]
    /// The cursor of the next older page, for ``TradeHistoryAPI/Paging/olderThanCursor``; nil when
    /// the exchange has nothing older (the page was shorter than asked) or does not page.
    public var olderCursor: String?

    public init(trades: [MarketEvent], olderCursor: String? = nil) {
        self.trades = trades
        self.olderCursor = olderCursor
    }
}

/// One market of an exchange's market list, for market discovery.
public struct ListedMarket: Sendable, Equatable {
    public var symbol: Symbol
    /// Trading now (not suspended, halted or being delisted).
    public var isTrading: Bool

    public init(symbol: Symbol, isTrading: Bool) {
        self.symbol = symbol
        self.isTrading = isTrading
    }
}
