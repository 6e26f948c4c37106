import CoinfluxCore

/// A KRW ticker's `premium` points, one per basis whose factors are known and fresh
/// (``PremiumBook``):
/// - `basis=usdt`: over the reference venue's USDT price converted at the Korean venues' own
///   KRW-per-USDT rate (`krw_per_usdt`);
/// - `basis=fx`: over the same reference price counted in US dollars, converted at the FX
///   source's USD/KRW rate (`krw_per_usd`, with `fx_age_seconds`, the tick's time minus the
///   source's quote time);
/// - `basis=tether`, on `USDT-KRW` tickers only: the tether premium, the ticker's KRW per USDT
///   over the FX source's KRW per USD (no reference venue: no `reference` tag).
extension PointDeriver {
    static let fxBasis = tagValue("fx")
    static let tetherBasis = tagValue("tether")

    static func appendPremiums(
        of event: MarketEvent, series: Series, premiums: PremiumBook, context: Context,
        into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts
    ) {
        let base = event.symbol.base
        let time = event.eventTimeNanos
        if case .premium(let premium) = premiums.premium(base: base, krwPrice: event.price, eventTimeNanos: time) {
            let outcome = buffer.append(MeasurementName.premium, timestampNanos: time) { line in
                premiumTags(series, basis: usdtBasis, reference: context.reference, into: &line)
                line.field(Name.premium, premium)
                line.field(Name.price, event.price)
                line.field(Name.referencePrice, premiums.referencePrice(base: base))
                line.field(Name.krwPerUsdt, premiums.krwPerUSDT)
            }
            counts.count(outcome, \.premiums)
        }
        guard let fx = premiums.fx else { return }
        if case .premium(let premium) = premiums.fxPremium(base: base, krwPrice: event.price, eventTimeNanos: time) {
            let outcome = buffer.append(MeasurementName.premium, timestampNanos: time) { line in
                premiumTags(series, basis: fxBasis, reference: context.reference, into: &line)
                line.field(Name.premium, premium)
                line.field(Name.price, event.price)
                line.field(Name.referencePrice, premiums.referencePrice(base: base))
                fxFields(fx, at: time, into: &line)
            }
            counts.count(outcome, \.premiums)
        }
        if event.symbol == .krwPerUSDT,
           case .premium(let premium) = premiums.tetherPremium(krwPerUSDT: event.price, eventTimeNanos: time) {
            let outcome = buffer.append(MeasurementName.premium, timestampNanos: time) { line in
                premiumTags(series, basis: tetherBasis, reference: nil, into: &line)
                line.field(Name.premium, premium)
                line.field(Name.price, event.price)
                fxFields(fx, at: time, into: &line)
            }
            counts.count(outcome, \.premiums)
        }
    }

    /// The series' tags with `basis` and, when given, `reference`, all in key order.
    static func premiumTags(_ series: Series, basis: LineProtocol.TagValue, reference: LineProtocol.TagValue?,
                            into line: inout LineProtocol.Line) {
        line.tag(Name.base, series.base)
        line.tag(Name.basis, basis)
        line.tag(Name.exchange, series.exchange)
        line.tag(Name.quote, series.quote)
        if let reference { line.tag(Name.reference, reference) }
        line.tag(Name.symbol, series.symbol)
    }

    /// `krw_per_usd` and `fx_age_seconds`: the rate, and how long before `timeNanos` its source quoted it.
    static func fxFields(_ fx: FXRate, at timeNanos: Int64, into line: inout LineProtocol.Line) {
        line.field(Name.krwPerUsd, fx.krwPerUSD)
        line.field(Name.fxAgeSeconds, Double(timeNanos &- fx.quotedNanos) / 1e9)
    }
}
