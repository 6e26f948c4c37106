import CoinfluxCore

extension PointDeriver {
    /// One (exchange, symbol).
    struct SeriesKey: Hashable {
        var exchange: Exchange
        var symbol: Symbol
    }

    /// The state and the pre-escaped tags of one series.
    struct Series {
        var exchange: LineProtocol.TagValue
        var symbol: LineProtocol.TagValue
        var base: LineProtocol.TagValue
        var quote: LineProtocol.TagValue
        var statistics: PriceStatistics
        var candles: CandleBuilder
        /// Ids of the trades applied within the revision horizon, to drop a trade that arrives twice
        /// (backfilled after it was received live, or from two redundant collectors).
        var tradeIDs: TradeIDWindow
        /// The latest order book of the series (`market.books`), its event time, and the sampling
        /// interval it was last written in.
        var book = OrderBook()
        var bookTimeNanos: Int64 = .min
        var bookSampleInterval: Int64 = .min
        /// The executable premium of the latest `premium_executable` point (KRW venues).
        var executablePremium: ExecutablePremium?

        init(exchange: Exchange, symbol: Symbol, context: Context) {
            self.exchange = tagValue(exchange.rawValue)
            self.symbol = tagValue(symbol.description)
            base = tagValue(symbol.base)
            quote = tagValue(symbol.quote)
            statistics = PriceStatistics(configuration: context.settings.statistics)
            candles = context.candleTemplate
            tradeIDs = TradeIDWindow()
        }

        /// The four series tags and, when given, one more whose key sorts between `quote` and
        /// `symbol` (`reference`, `side`): all in key order, as InfluxDB stores them.
        func tags(into line: inout LineProtocol.Line, adding extra: (key: LineProtocol.Key, value: LineProtocol.TagValue)? = nil) {
            line.tag(Name.base, base)
            line.tag(Name.exchange, exchange)
            line.tag(Name.quote, quote)
            if let extra { line.tag(extra.key, extra.value) }
            line.tag(Name.symbol, symbol)
        }
    }
}
