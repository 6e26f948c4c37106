/// A US dollar to Korean won rate read from a foreign-exchange source (`collector.fx_url`): the
/// `fx` basis of the premium and the denominator of the tether premium. Carried on the FX topic
/// (`"type":"fx"`) beside the `USDT-KRW` tickers.
public struct FXRate: Sendable, Hashable {
    /// The market the rate is the price of: one US dollar in won.
    public static let symbol = Symbol(base: "USD", quote: "KRW")

    /// Won per US dollar.
    public var krwPerUSD: Double
    /// When the source quoted the rate (its own timestamp; the read time when it gives none),
    /// nanoseconds since the epoch. FX markets close on weekends, so this can be days old while
    /// the source is read fine.
    public var quotedNanos: Int64
    /// When the collector read the rate, nanoseconds since the epoch: what a premium's freshness
    /// is judged by (`processor.max_fx_rate_age`).
    public var observedNanos: Int64

    public init(krwPerUSD: Double, quotedNanos: Int64, observedNanos: Int64) {
        self.krwPerUSD = krwPerUSD
        self.quotedNanos = quotedNanos
        self.observedNanos = observedNanos
    }

    /// Whether the rate can price anything: finite and above zero.
    public var isUsable: Bool { krwPerUSD.isFinite && krwPerUSD > 0 }
}
