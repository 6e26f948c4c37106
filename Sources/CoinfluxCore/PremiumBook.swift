/// The cross-exchange ("kimchi") premium of KRW markets over a reference USDT market.
///
/// Holds the latest reference price per base asset (e.g. Binance `BTC-USDT`), the latest
/// KRW-per-USDT rate and the latest USD/KRW rate of an FX source; for a KRW price of the same
/// base it computes the premium on two bases, as fractions (0.03 = 3 %):
/// - `usdt`: `P_krw / (P_ref_usdt · KRW_per_USDT) − 1`, the Korean venues' own dollar;
/// - `fx`: `P_krw / (P_ref_usdt · KRW_per_USD) − 1`, the bank's dollar (a USDT counted as a USD);
/// and the tether premium, `KRW_per_USDT / KRW_per_USD − 1`, which links them:
/// `1 + fx = (1 + usdt) · (1 + tether)` when all three use the same KRW-per-USDT rate.
///
/// Policies:
/// - A factor update that is NaN, infinite, zero or negative is refused and the previous value
///   kept (``FactorUpdate/invalid``). An update older than the stored one is ignored
///   (``FactorUpdate/older``): the book keeps the newest value by event time, so a late or
///   replayed message cannot roll it back. An update at the same time replaces it.
/// - With a maximum age configured, a factor whose event time is more than that age before the
///   KRW tick's is stale and no premium is computed. A factor newer than the tick (possible when
///   the FX topic is read ahead of a partition) counts as fresh: it is the best value known.
public struct PremiumBook: Sendable {
    /// What an update of a factor did.
    public enum FactorUpdate: Sendable, Hashable {
        /// The new value is stored.
        case applied
        /// The value is NaN, infinite, zero or negative; the previous one is kept.
        case invalid
        /// The update is older than the stored value; ignored.
        case older
    }

    /// Why no premium could be computed.
    public enum Unavailable: Error, Sendable, Hashable {
        /// The KRW price is NaN, infinite, zero or negative.
        case invalidPrice
        /// No reference price for this base asset yet.
        case noReference
        /// No KRW-per-USDT rate yet.
        case noExchangeRate
        /// The reference price is older than the configured maximum age.
        case staleReference
        /// The KRW-per-USDT rate is older than the configured maximum age.
        case staleExchangeRate
        /// No USD/KRW rate yet (none is configured, or none read so far).
        case noFXRate
        /// The USD/KRW rate was read longer ago than the configured maximum age.
        case staleFXRate
    }

    /// A premium, or why there is none.
    public enum Outcome: Sendable, Hashable {
        /// The premium as a fraction.
        case premium(Double)
        /// A factor is missing, stale or invalid.
        case unavailable(Unavailable)

        /// The premium, if there is one.
        public var value: Double? {
            if case .premium(let value) = self { return value }
            return nil
        }
    }

    private struct Factor: Sendable, Hashable {
        var value: Double
        var eventTimeNanos: Int64
    }

    /// Maximum age of a reference price relative to the KRW tick, in nanoseconds; nil: no limit.
    public let maxReferenceAgeNanos: Int64?
    /// Maximum age of the KRW-per-USDT rate relative to the KRW tick, in nanoseconds; nil: no limit.
    public let maxExchangeRateAgeNanos: Int64?
    /// Maximum time since the USD/KRW rate was read, relative to the KRW tick, in nanoseconds; nil: no limit.
    public let maxFXRateAgeNanos: Int64?
    private var references: [String: Factor] = [:]
    private var exchangeRate: Factor?
    private var fxRate: FXRate?

    /// An empty book.
    /// - Parameters:
    ///   - maxReferenceAge: Oldest usable reference price. Default: no limit.
    ///   - maxExchangeRateAge: Oldest usable KRW-per-USDT rate. Default: no limit.
    ///   - maxFXRateAge: Longest time since the USD/KRW rate was read. Default: no limit.
    ///   Durations beyond ±292 years mean no limit; negative ones make every factor stale
    ///   unless it is newer than the tick.
    public init(maxReferenceAge: Duration? = nil, maxExchangeRateAge: Duration? = nil, maxFXRateAge: Duration? = nil) {
        maxReferenceAgeNanos = maxReferenceAge?.wholeNanoseconds
        maxExchangeRateAgeNanos = maxExchangeRateAge?.wholeNanoseconds
        maxFXRateAgeNanos = maxFXRateAge?.wholeNanoseconds
    }

    /// The stored reference price (USDT) of `base`, if any.
    public func referencePrice(base: String) -> Double? {
        references[base]?.value
    }

    /// The stored KRW-per-USDT rate, if any.
    public var krwPerUSDT: Double? {
        exchangeRate?.value
    }

    /// The event time of the stored KRW-per-USDT rate, if any.
    public var krwPerUSDTTimeNanos: Int64? {
        exchangeRate?.eventTimeNanos
    }

    /// The stored USD/KRW rate, if any.
    public var fx: FXRate? {
        fxRate
    }

    /// Records the reference exchange's USDT price of `base`.
    @discardableResult
    public mutating func updateReference(base: String, priceUSDT: Double, eventTimeNanos: Int64) -> FactorUpdate {
        let outcome = Self.replace(references[base], with: priceUSDT, at: eventTimeNanos)
        if outcome == .applied {
            references[base] = Factor(value: priceUSDT, eventTimeNanos: eventTimeNanos)
        }
        return outcome
    }

    /// Records the KRW-per-USDT rate.
    @discardableResult
    public mutating func updateExchangeRate(krwPerUSDT: Double, eventTimeNanos: Int64) -> FactorUpdate {
        let outcome = Self.replace(exchangeRate, with: krwPerUSDT, at: eventTimeNanos)
        if outcome == .applied {
            exchangeRate = Factor(value: krwPerUSDT, eventTimeNanos: eventTimeNanos)
        }
        return outcome
    }

    /// Records the USD/KRW rate of the FX source; one read earlier than the stored one is ignored.
    @discardableResult
    public mutating func updateFXRate(_ rate: FXRate) -> FactorUpdate {
        let outcome = Self.replace(fxRate.map { Factor(value: $0.krwPerUSD, eventTimeNanos: $0.observedNanos) },
                                   with: rate.krwPerUSD, at: rate.observedNanos)
        if outcome == .applied { fxRate = rate }
        return outcome
    }

    /// The `usdt`-basis premium of a KRW price of `base` at `eventTimeNanos`.
    public func premium(base: String, krwPrice: Double, eventTimeNanos: Int64) -> Outcome {
        guard krwPrice.isFinite, krwPrice > 0 else { return .unavailable(.invalidPrice) }
        guard let reference = references[base] else { return .unavailable(.noReference) }
        guard let rate = exchangeRate else { return .unavailable(.noExchangeRate) }
        if Self.isStale(reference, at: eventTimeNanos, maxAge: maxReferenceAgeNanos) {
            return .unavailable(.staleReference)
        }
        if Self.isStale(rate, at: eventTimeNanos, maxAge: maxExchangeRateAgeNanos) {
            return .unavailable(.staleExchangeRate)
        }
        return .premium(krwPrice / (reference.value * rate.value) - 1)
    }

    /// The `fx`-basis premium of a KRW price of `base` at `eventTimeNanos`.
    public func fxPremium(base: String, krwPrice: Double, eventTimeNanos: Int64) -> Outcome {
        guard krwPrice.isFinite, krwPrice > 0 else { return .unavailable(.invalidPrice) }
        guard let reference = references[base] else { return .unavailable(.noReference) }
        if Self.isStale(reference, at: eventTimeNanos, maxAge: maxReferenceAgeNanos) {
            return .unavailable(.staleReference)
        }
        switch usableFXRate(at: eventTimeNanos) {
        case .success(let rate): return .premium(krwPrice / (reference.value * rate) - 1)
        case .failure(let unavailable): return .unavailable(unavailable)
        }
    }

    /// The tether premium of a KRW-per-USDT price (a `USDT-KRW` ticker) at `eventTimeNanos`:
    /// `KRW_per_USDT / KRW_per_USD − 1`.
    public func tetherPremium(krwPerUSDT: Double, eventTimeNanos: Int64) -> Outcome {
        guard krwPerUSDT.isFinite, krwPerUSDT > 0 else { return .unavailable(.invalidPrice) }
        switch usableFXRate(at: eventTimeNanos) {
        case .success(let rate): return .premium(krwPerUSDT / rate - 1)
        case .failure(let unavailable): return .unavailable(unavailable)
        }
    }

    /// The KRW-per-USDT rate, if it is fresh relative to `eventTimeNanos` (the `usdt` basis).
    public func krwPerUSDT(at eventTimeNanos: Int64) -> Double? {
        guard let exchangeRate, !Self.isStale(exchangeRate, at: eventTimeNanos, maxAge: maxExchangeRateAgeNanos) else { return nil }
        return exchangeRate.value
    }

    /// The FX source's KRW per USD, if it was read recently enough relative to `eventTimeNanos` (the `fx` basis).
    public func krwPerUSD(at eventTimeNanos: Int64) -> Double? {
        try? usableFXRate(at: eventTimeNanos).get()
    }

    /// Won per US dollar, if a rate read recently enough relative to `eventTimeNanos` is stored.
    private func usableFXRate(at eventTimeNanos: Int64) -> Result<Double, Unavailable> {
        guard let fxRate else { return .failure(.noFXRate) }
        let read = Factor(value: fxRate.krwPerUSD, eventTimeNanos: fxRate.observedNanos)
        if Self.isStale(read, at: eventTimeNanos, maxAge: maxFXRateAgeNanos) { return .failure(.staleFXRate) }
        return .success(fxRate.krwPerUSD)
    }

    private static func replace(_ stored: Factor?, with value: Double, at eventTimeNanos: Int64) -> FactorUpdate {
        guard value.isFinite, value > 0 else { return .invalid }
        if let stored, eventTimeNanos < stored.eventTimeNanos { return .older }
        return .applied
    }

    private static func isStale(_ factor: Factor, at eventTimeNanos: Int64, maxAge: Int64?) -> Bool {
        guard let maxAge else { return false }
        let (age, overflow) = eventTimeNanos.subtractingReportingOverflow(factor.eventTimeNanos)
        // Overflow means the two times are ~292 years apart: stale if the factor is the older one.
        return overflow ? eventTimeNanos > factor.eventTimeNanos : age > maxAge
    }
}
