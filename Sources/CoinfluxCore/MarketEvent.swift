/// One normalized market-data event: a ticker update or a single trade, from any exchange.
///
/// Every exchange adapter produces these; the event codec carries them through Kafka;
/// the processor derives its points from them. Times are nanoseconds since the Unix epoch.
public struct MarketEvent: Sendable, Equatable {
    /// What the event reports.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A ticker (24 h rolling statistics and the last price).
        case ticker
        /// One executed trade.
        case trade
    }

    /// Which side took liquidity in a trade, normalized across the exchanges' conventions.
    public enum TakerSide: String, Sendable, Hashable, CaseIterable {
        /// The taker bought (lifted an ask).
        case buy
        /// The taker sold (hit a bid).
        case sell
        /// The exchange does not say, or says it ambiguously.
        case unknown
    }

    public var kind: Kind
    public var exchange: Exchange
    public var symbol: Symbol
    /// Last price (ticker) or execution price (trade), in `symbol.quote`.
    public var price: Double
    /// Trade quantity, or the ticker's last quantity where the exchange sends one, in `symbol.base`.
    public var size: Double?
    public var bestBid: Double?
    public var bestBidSize: Double?
    public var bestAsk: Double?
    public var bestAskSize: Double?
    public var open24h: Double?
    public var high24h: Double?
    public var low24h: Double?
    /// 24 h volume in the base asset.
    public var volume24h: Double?
    /// 24 h turnover in the quote asset.
    public var quoteVolume24h: Double?
    /// The exchange's own time for the event, nanoseconds since the epoch.
    public var eventTimeNanos: Int64
    /// When coinflux received the frame, nanoseconds since the epoch.
    public var receiveTimeNanos: Int64
    /// The exchange's trade id, kept as text so ids beyond 2^53 survive.
    public var tradeID: String?
    /// The exchange's sequence number where it sends one (Upbit `sequential_id`).
    public var sequence: Int64?
    /// Taker side for trades; `.unknown` for tickers.
    public var side: TakerSide
    /// A trade the collector recovered from the exchange's REST history after a gap, rather than
    /// received live.
    public var isBackfilled: Bool

    public init(
        kind: Kind,
        exchange: Exchange,
        symbol: Symbol,
        price: Double,
        size: Double? = nil,
        bestBid: Double? = nil,
        bestBidSize: Double? = nil,
        bestAsk: Double? = nil,
        bestAskSize: Double? = nil,
        open24h: Double? = nil,
        high24h: Double? = nil,
        low24h: Double? = nil,
        volume24h: Double? = nil,
        quoteVolume24h: Double? = nil,
        eventTimeNanos: Int64,
        receiveTimeNanos: Int64,
        tradeID: String? = nil,
        sequence: Int64? = nil,
        side: TakerSide = .unknown,
        isBackfilled: Bool = false
    ) {
        self.kind = kind
        self.exchange = exchange
        self.symbol = symbol
        self.price = price
        self.size = size
        self.bestBid = bestBid
        self.bestBidSize = bestBidSize
        self.bestAsk = bestAsk
        self.bestAskSize = bestAskSize
        self.open24h = open24h
        self.high24h = high24h
        self.low24h = low24h
        self.volume24h = volume24h
        self.quoteVolume24h = quoteVolume24h
        self.eventTimeNanos = eventTimeNanos
        self.receiveTimeNanos = receiveTimeNanos
        self.tradeID = tradeID
        self.sequence = sequence
        self.side = side
        self.isBackfilled = isBackfilled
    }
}
