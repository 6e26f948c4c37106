import CoinfluxCore

/// Turns market events into the points of coinflux's public InfluxDB schema, keeping the
/// per-series state that needs: price statistics and candles per (exchange, symbol), reference
/// prices and the KRW-per-USDT rate for premiums. Pure: no I/O, no clock.
///
/// One deriver holds the state of one Kafka partition (all events of a base asset share a
/// partition, so premiums are partition-local); the processor drops it when the partition goes.
///
/// Schema (tags `exchange`, `symbol`, `base`, `quote` on every measurement; ratios are fractions):
/// - `ticker` at the event time: `price`, `change_rate` (absent on a series' first tick), `ema`,
///   `deviation`, `ema_<half-life>` per configured half-life, and where the exchange sends them
///   `bid`, `ask`, `bid_size`, `ask_size`, `open_24h`, `high_24h`, `low_24h`, `volume_24h`,
///   `quote_volume_24h`. Statistics run over ticker prices only.
/// - `trade` (+ tag `side`): `price`, `size`, `trade_id` (string). Its timestamp is the event time
///   truncated to the millisecond plus a sub-millisecond part derived from the trade id
///   (``tradeTimestamp(eventTimeNanos:tradeID:sequence:)``), so trades in one millisecond do not
///   overwrite each other and a replay writes the same point again.
/// - `premium` (+ tags `basis`, `reference`) for a KRW ticker, one point per basis that has its
///   factors: `usdt` (`premium`, `price`, `reference_price`, `krw_per_usdt`) and `fx`
///   (`premium`, `price`, `reference_price`, `krw_per_usd`, `fx_age_seconds`); for a `USDT-KRW`
///   ticker the tether premium, `basis` `tether` (`premium`, `price`, `krw_per_usd`,
///   `fx_age_seconds`). See `PointDeriver+Premiums.swift`.
/// - `orderbook` (from `market.books`), one per series and `orderbookInterval` of event time, at
///   the book's event time: `bid`, `bid_size`, `ask`, `ask_size`, `mid`, `spread_bps`,
///   `bid_depth_10bps`, `ask_depth_10bps`, `bid_depth_50bps`, `ask_depth_50bps` (quote currency),
///   `imbalance`, `bid_levels`, `ask_levels` (integers). See `PointDeriver+Books.swift`.
/// - `premium_executable` (+ tags `basis`, `reference`) with each KRW venue's `orderbook` point,
///   per basis (`usdt`, and `fx` when an FX rate is known): `size_krw`, `buy_premium`,
///   `sell_premium`, the four fill fractions and `krw_per_usdt` or `krw_per_usd` and `fx_age_seconds`.
/// - `market_status` at the time the collector read the flags: `warning`, `caution`, `flagged`
///   (booleans) and `cautions` (string). See `PointDeriver+Status.swift`.
/// - `candle_1m` at the minute start: `open`, `high`, `low`, `close`, `volume`, `quote_volume`,
///   `trades` (integer). Written when the series' first trade of a later minute arrives (candles
///   close by event time); a trade for a minute already written is late: counted, not used.
public struct PointDeriver: Sendable {
    /// Settings shared by every deriver of a processor.
    public struct Settings: Sendable {
        /// α and half-lives of the price statistics.
        public var statistics: PriceStatistics.Configuration
        /// The USDT venue premiums are measured against.
        public var referenceExchange: Exchange
        /// Oldest reference price, relative to the KRW tick, a premium may use.
        public var maxReferenceAge: Duration
        /// Oldest KRW-per-USDT rate, relative to the KRW tick, a premium may use.
        public var maxExchangeRateAge: Duration
        /// Longest time since the USD/KRW rate was read, relative to the KRW tick, an `fx`-basis
        /// or tether premium may use.
        public var maxFXRateAge: Duration
        /// How long a written candle is revised by trades that arrive late (recovered after a
        /// gap), and how long trade ids are remembered to drop duplicates.
        public var candleRevisionHorizon: Duration
        /// One `orderbook` point per book series and interval of event time.
        public var orderbookInterval: Duration
        /// The size, in KRW, of the orders `premium_executable` walks the books with.
        public var premiumSizeKRW: Double

        public init(
            statistics: PriceStatistics.Configuration,
            referenceExchange: Exchange = .binance,
            maxReferenceAge: Duration = .seconds(60),
            maxExchangeRateAge: Duration = .seconds(600),
            maxFXRateAge: Duration = .seconds(600),
            candleRevisionHorizon: Duration = .seconds(3_600),
            orderbookInterval: Duration = .seconds(1),
            premiumSizeKRW: Double = 10_000_000
        ) {
            self.statistics = statistics
            self.referenceExchange = referenceExchange
            self.maxReferenceAge = maxReferenceAge
            self.maxExchangeRateAge = maxExchangeRateAge
            self.maxFXRateAge = maxFXRateAge
            self.candleRevisionHorizon = candleRevisionHorizon
            self.orderbookInterval = orderbookInterval
            self.premiumSizeKRW = premiumSizeKRW
        }
    }

    /// What every series needs besides its own state.
    struct Context: Sendable {
        var settings: Settings
        /// `ema_<half-life>` per configured half-life.
        var halfLifeKeys: [LineProtocol.Key]
        /// The reference exchange as a tag value.
        var reference: LineProtocol.TagValue
        /// An empty candle builder with the settings' interval (one minute) and revision horizon.
        var candleTemplate: CandleBuilder
    }

    let context: Context
    var series: [SeriesKey: Series] = [:]
    var premiums: PremiumBook

    /// An empty deriver.
    public init(settings: Settings) {
        context = Context(
            settings: settings,
            halfLifeKeys: settings.statistics.halfLivesNanos.map { LineProtocol.Key(stringLiteral: "ema_" + Self.halfLifeLabel(nanos: $0)) },
            reference: tagValue(settings.referenceExchange.rawValue),
            candleTemplate: Self.candleBuilder(revisionHorizon: settings.candleRevisionHorizon))
        premiums = PremiumBook(maxReferenceAge: settings.maxReferenceAge, maxExchangeRateAge: settings.maxExchangeRateAge,
                               maxFXRateAge: settings.maxFXRateAge)
    }

    /// (exchange, symbol) pairs with state.
    public var seriesCount: Int { series.count }

    /// The markets this deriver holds state of, each with whether it holds an order book of it
    /// (the books topic) rather than tickers, trades or statuses (the ticks topic).
    public var markets: [(exchange: Exchange, symbol: Symbol, hasBook: Bool)] {
        series.map { key, value in (key.exchange, key.symbol, !value.book.isEmpty) }
    }

    /// The statistics of one series, if it has any.
    public func statistics(exchange: Exchange, symbol: Symbol) -> PriceStatistics? {
        series[SeriesKey(exchange: exchange, symbol: symbol)]?.statistics
    }

    /// The premium of a KRW price over the reference, from the factors known now (nil if missing or stale).
    public func premium(base: String, krwPrice: Double, eventTimeNanos: Int64) -> Double? {
        premiums.premium(base: base, krwPrice: krwPrice, eventTimeNanos: eventTimeNanos).value
    }

    /// The tether premium of a KRW-per-USDT price at `eventTimeNanos`, if a fresh FX rate is known.
    public func tetherPremium(krwPerUSDT: Double, eventTimeNanos: Int64) -> Double? {
        premiums.tetherPremium(krwPerUSDT: krwPerUSDT, eventTimeNanos: eventTimeNanos).value
    }

    /// Records a KRW-per-USDT rate (a `USDT-KRW` ticker from the FX topic or the stream itself).
    public mutating func updateExchangeRate(krwPerUSDT: Double, eventTimeNanos: Int64) {
        premiums.updateExchangeRate(krwPerUSDT: krwPerUSDT, eventTimeNanos: eventTimeNanos)
    }

    /// Records a USD/KRW rate of the FX source (from the FX topic).
    public mutating func updateFXRate(_ rate: FXRate) {
        premiums.updateFXRate(rate)
    }

    /// Applies `event` to the state and, when `emit` is true, appends its points to `buffer`.
    ///
    /// With `emit` false (warm-up: re-reading messages already written) only the state changes.
    public mutating func apply(_ event: MarketEvent, emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts) {
        let index = seriesIndex(exchange: event.exchange, symbol: event.symbol)
        // In place through the index: no copy of the series' state per event.
        switch event.kind {
        case .ticker:
            Self.applyTicker(event, to: &series.values[index], premiums: &premiums, context: context, emit: emit, into: &buffer, counts: &counts)
        case .trade:
            Self.applyTrade(event, to: &series.values[index], emit: emit, into: &buffer, counts: &counts)
        }
    }

    /// Applies a record: an event as ``apply(_:emit:into:counts:)-(MarketEvent,_,_,_)``, a gap
    /// (its `gap` point, and the candles it leaves incomplete), a book, a market status or an FX
    /// rate (no point of its own: it prices the `fx` and `tether` premiums).
    public mutating func apply(_ record: MarketRecord, emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts) {
        switch record {
        case .event(let event):
            apply(event, emit: emit, into: &buffer, counts: &counts)
        case .gap(let gap):
            let index = seriesIndex(exchange: gap.exchange, symbol: gap.symbol)
            Self.applyGap(gap, to: &series.values[index], emit: emit, into: &buffer, counts: &counts)
        case .book(let book):
            applyBook(book, emit: emit, into: &buffer, counts: &counts)
        case .status(let status):
            applyStatus(status, emit: emit, into: &buffer, counts: &counts)
        case .fx(let rate):
            premiums.updateFXRate(rate)
        }
    }

    /// The index of the series' state, created on first use.
    mutating func seriesIndex(exchange: Exchange, symbol: Symbol) -> [SeriesKey: Series].Index {
        let key = SeriesKey(exchange: exchange, symbol: symbol)
        if let found = series.index(forKey: key) { return found }
        series[key] = Series(exchange: exchange, symbol: symbol, context: context)
        return series.index(forKey: key) ?? series.startIndex
    }

    private static func applyTicker(
        _ event: MarketEvent, to series: inout Series, premiums: inout PremiumBook, context: Context,
        emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts
    ) {
        if let rate = event.krwPerUSDT {
            premiums.updateExchangeRate(krwPerUSDT: rate, eventTimeNanos: event.eventTimeNanos)
        }
        let snapshot: PriceStatistics.Snapshot
        switch series.statistics.update(with: event) {
        case .applied(let applied): snapshot = applied
        case .rejected(.notFinite), .rejected(.notPositive): counts.invalidPrices += 1; return
        case .rejected(.outOfOrder): counts.outOfOrder += 1; return
        case .rejected(.duplicate): return  // a redelivery: its point is already written
        }
        if event.exchange == context.settings.referenceExchange, event.symbol.quote == "USDT" {
            premiums.updateReference(base: event.symbol.base, priceUSDT: event.price, eventTimeNanos: event.eventTimeNanos)
        }
        guard emit else { return }
        let outcome = buffer.append(MeasurementName.ticker, timestampNanos: event.eventTimeNanos) { line in
            series.tags(into: &line)
            line.field(Name.price, snapshot.price)
            line.field(Name.changeRate, snapshot.changeRate)
            line.field(Name.ema, snapshot.ema)
            line.field(Name.deviation, snapshot.deviation)
            for (index, average) in series.statistics.timeDecayAverages.enumerated() {
                line.field(context.halfLifeKeys[index], average.value)
            }
            line.field(Name.bid, event.bestBid)
            line.field(Name.ask, event.bestAsk)
            line.field(Name.bidSize, event.bestBidSize)
            line.field(Name.askSize, event.bestAskSize)
            line.field(Name.open24h, event.open24h)
            line.field(Name.high24h, event.high24h)
            line.field(Name.low24h, event.low24h)
            line.field(Name.volume24h, event.volume24h)
            line.field(Name.quoteVolume24h, event.quoteVolume24h)
        }
        counts.count(outcome, \.tickers)

        guard event.symbol.quote == "KRW", event.exchange != context.settings.referenceExchange else { return }
        appendPremiums(of: event, series: series, premiums: premiums, context: context, into: &buffer, counts: &counts)
    }

    /// A one-minute candle builder; a horizon that cannot be one (negative) revises nothing.
    private static func candleBuilder(revisionHorizon: Duration) -> CandleBuilder {
        if let builder = try? CandleBuilder(interval: .seconds(60), revisionHorizon: revisionHorizon) { return builder }
        do { return try CandleBuilder(interval: .seconds(60)) } catch { preconditionFailure("one minute is a valid interval") }
    }

    /// `30s`, `5m`, `1h`, `250ms`: the shortest exact form of a half-life, for field names.
    public static func halfLifeLabel(nanos: Int64) -> String {
        let units: [(Int64, String)] = [(3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"), (1_000_000, "ms")]
        for (size, suffix) in units where nanos % size == 0 {
            return "\(nanos / size)\(suffix)"
        }
        return "\(nanos)ns"
    }
}

/// Exchange names, symbols and assets are ASCII letters, digits and `-`: escaping cannot fail.
/// A value that somehow could not be written becomes empty, which omits the tag.
func tagValue(_ text: String) -> LineProtocol.TagValue {
    if let value = try? LineProtocol.TagValue(text) { return value }
    return LineProtocol.TagValue.omitted
}

extension LineProtocol.TagValue {
    /// The empty value: the tag is left out of the line.
    fileprivate static let omitted: LineProtocol.TagValue = {
        do { return try LineProtocol.TagValue("") } catch { preconditionFailure("the empty tag value is always valid") }
    }()
}
