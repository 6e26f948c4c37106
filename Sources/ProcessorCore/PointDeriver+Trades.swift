import CoinfluxCore

extension PointDeriver {
    /// A trade: its `trade` point, and the `candle_1m` point of a minute it closes or revises.
    /// A trade whose id was applied already (within the revision horizon) is dropped and counted.
    static func applyTrade(
        _ event: MarketEvent, to series: inout Series, emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts
    ) {
        if let id = event.tradeID, !series.tradeIDs.insert(id, timeNanos: event.eventTimeNanos) {
            counts.duplicateTrades += 1
            return
        }
        let candle: Candle?
        switch series.candles.add(event) {
        case .added(let closed): candle = closed
        case .revised(let revised): candle = revised; counts.revisedCandles += 1
        case .late: counts.lateTrades += 1; candle = nil
        case .rejected: counts.invalidPrices += 1; return
        }
        if series.candles.openFromNanos != .min {
            // Saturating: near the start of Int64 time a wrapped difference would forget every id.
            let (oldest, underflow) = series.candles.openFromNanos.subtractingReportingOverflow(series.candles.revisionHorizonNanos)
            series.tradeIDs.forget(before: underflow ? .min : oldest)
        }
        guard emit else { return }
        let timestamp = tradeTimestamp(eventTimeNanos: event.eventTimeNanos, tradeID: event.tradeID, sequence: event.sequence)
        let outcome = buffer.append(MeasurementName.trade, timestampNanos: timestamp) { line in
            series.tags(into: &line, adding: (Name.side, sideTags[event.side]))
            line.field(Name.price, event.price)
            line.field(Name.size, event.size)
            if let id = event.tradeID { line.field(Name.tradeId, id) }
            if event.isBackfilled { line.field(Name.backfilled, true) }
        }
        counts.count(outcome, \.trades)
        if let candle { write(candle, of: series, into: &buffer, counts: &counts) }
    }

    /// A gap record: its `gap` point; for trades left missing (not repaired), the candles of the
    /// minutes it covers are marked incomplete (those already written are written again).
    static func applyGap(
        _ gap: SeriesGap, to series: inout Series, emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts
    ) {
        let changed = gap.channel == .trade && gap.repair != .yes
            ? series.candles.markIncomplete(fromNanos: gap.startNanos, toNanos: gap.endNanos) : []
        guard emit else { return }
        let outcome = buffer.append(MeasurementName.gap, timestampNanos: gap.startNanos) { line in
            line.tag(Name.base, series.base)
            line.tag(Name.cause, causeTags[gap.cause])
            line.tag(Name.channel, channelTags[gap.channel])
            line.tag(Name.exchange, series.exchange)
            line.tag(Name.quote, series.quote)
            line.tag(Name.symbol, series.symbol)
            line.field(Name.end, gap.endNanos)
            line.field(Name.duration, gap.seconds)
            line.field(Name.recovered, gap.recovered)
            if let unrecovered = gap.unrecovered { line.field(Name.unrecovered, unrecovered) }
            line.field(Name.repaired, gap.repair.rawValue)
        }
        counts.count(outcome, \.gaps)
        for candle in changed {
            write(candle, of: series, into: &buffer, counts: &counts)
        }
    }

    /// Appends the `candle_1m` point of `candle`.
    private static func write(_ candle: Candle, of series: Series, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts) {
        let outcome = buffer.append(MeasurementName.candleOneMinute, timestampNanos: candle.startNanos) { line in
            series.tags(into: &line)
            line.field(Name.open, candle.open)
            line.field(Name.high, candle.high)
            line.field(Name.low, candle.low)
            line.field(Name.close, candle.close)
            line.field(Name.volume, candle.volume)
            line.field(Name.quoteVolume, candle.quoteVolume)
            line.field(Name.trades, candle.tradeCount)
            line.field(Name.complete, candle.isComplete)
        }
        counts.count(outcome, \.candles)
    }

    /// The timestamp of a trade point: the event time truncated to the millisecond, plus
    /// `id mod 1 000 000` nanoseconds for a numeric trade id (else a hash of the id, else the
    /// sequence number). Exchanges stamp trades in milliseconds, so the sub-millisecond part is
    /// free; consecutive ids never collide within a millisecond, and a replay gives the same time.
    public static func tradeTimestamp(eventTimeNanos: Int64, tradeID: String?, sequence: Int64?) -> Int64 {
        let perMillisecond: Int64 = 1_000_000
        let (millisecond, underflow) = eventTimeNanos.subtractingReportingOverflow(((eventTimeNanos % perMillisecond) + perMillisecond) % perMillisecond)
        guard !underflow else { return eventTimeNanos }  // the first millisecond of Int64 time (1677)
        let discriminator: UInt64
        if let tradeID, let number = UInt64(tradeID) {
            discriminator = number
        } else if let tradeID {
            discriminator = fnv1a(tradeID)
        } else if let sequence {
            discriminator = UInt64(bitPattern: sequence)
        } else {
            discriminator = 0
        }
        // In the last millisecond of Int64 time (2262-04-11T23:47:16.854Z) the sum can overflow:
        // there the event time itself is the timestamp.
        let (time, overflow) = millisecond.addingReportingOverflow(Int64(discriminator % UInt64(perMillisecond)))
        return overflow ? eventTimeNanos : time
    }
}
