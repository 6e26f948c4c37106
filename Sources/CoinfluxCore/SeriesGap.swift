/// A stretch of one series (exchange, symbol, channel) that the collector may not have received
/// live, and what became of it: the collector's record of missing data, carried through Kafka
/// beside the events and written to InfluxDB as the `gap` measurement.
public struct SeriesGap: Sendable, Hashable {
    /// Why data could be missing.
    public enum Cause: String, Sendable, Hashable, CaseIterable {
        /// The connection carrying the series was down (closed, failed, refused).
        case connection
        /// The connection went silent and was replaced.
        case silence
        /// The exchange's consecutive trade ids jumped (Binance).
        case sequence
        /// The Kafka producer dropped events of the series (its queue was full) or could not deliver them.
        case producer
        /// The collector was not running: from the last event of the series found in Kafka at
        /// start to the first one received after.
        case restart
    }

    /// How much of the gap the REST history gave back.
    public enum Repair: String, Sendable, Hashable, CaseIterable {
        /// Everything the exchange traded in the gap was recovered (or nothing was missing).
        case yes
        /// Some was recovered; the exchange's history did not reach back far enough for the rest.
        case partly
        /// Nothing could be recovered (tickers, an exchange without trade history, REST failing).
        case no
    }

    /// The channel a gap is about: `ticker` or `trade`.
    public var channel: MarketEvent.Kind
    public var exchange: Exchange
    public var symbol: Symbol
    public var cause: Cause
    /// Event time of the last event received before the gap, nanoseconds since the epoch.
    public var startNanos: Int64
    /// Event time of the first event received after it.
    public var endNanos: Int64
    /// Trades recovered from the exchange's REST history.
    public var recovered: Int
    /// Trades known to be missing after the repair, where the exchange's numbering tells; nil when it cannot.
    public var unrecovered: Int?
    public var repair: Repair
    /// When the collector recorded it.
    public var recordedNanos: Int64

    public init(channel: MarketEvent.Kind, exchange: Exchange, symbol: Symbol, cause: Cause, startNanos: Int64, endNanos: Int64,
                recovered: Int = 0, unrecovered: Int? = nil, repair: Repair = .no, recordedNanos: Int64) {
        self.channel = channel
        self.exchange = exchange
        self.symbol = symbol
        self.cause = cause
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.recovered = recovered
        self.unrecovered = unrecovered
        self.repair = repair
        self.recordedNanos = recordedNanos
    }

    /// Length of the gap in seconds.
    public var seconds: Double { Double(endNanos &- startNanos) / 1e9 }
}

/// What the collector hands on and the processor takes: a market event, the record of a gap, a
/// synchronised order book (`market.books`), a market's status flags, or a USD/KRW rate (the FX topic).
public enum MarketRecord: Sendable, Equatable {
    case event(MarketEvent)
    case gap(SeriesGap)
    case book(BookUpdate)
    case status(MarketStatus)
    case fx(FXRate)

    /// The symbol the record is about (its Kafka key is the symbol's base asset).
    public var symbol: Symbol {
        switch self {
        case .event(let event): event.symbol
        case .gap(let gap): gap.symbol
        case .book(let book): book.symbol
        case .status(let status): status.symbol
        case .fx: FXRate.symbol
        }
    }

    /// The event, if the record is one.
    public var event: MarketEvent? {
        if case .event(let event) = self { return event }
        return nil
    }
}
