import CoinfluxCore

/// Market status records into `market_status` points.
///
/// Each record is written as it comes, at the time the collector read the flags: `warning`,
/// `caution` (any alert in force), `flagged` (either) as booleans and `cautions`, the alert types
/// joined by `,` (empty when none). The collector reads the flags every
/// `collector.market_status_interval`, so the series has a point per market and interval.
extension PointDeriver {
    /// Writes the point of one status record. No state is kept beyond the series itself (the record
    /// is the whole status), which is known from warm-up on, so the market counts as this
    /// partition's (``markets``).
    mutating func applyStatus(_ status: MarketStatus, emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts) {
        let index = seriesIndex(exchange: status.exchange, symbol: status.symbol)
        guard emit else { return }
        let flags = status.flags
        let outcome = buffer.append(MeasurementName.marketStatus, timestampNanos: status.observedNanos) { line in
            series.values[index].tags(into: &line)
            line.field(Name.warning, flags.warning)
            line.field(Name.caution, !flags.cautions.isEmpty)
            line.field(Name.flagged, flags.isFlagged)
            line.field(Name.cautions, flags.cautions.joined(separator: ","))
        }
        counts.count(outcome, \.marketStatuses)
    }
}
