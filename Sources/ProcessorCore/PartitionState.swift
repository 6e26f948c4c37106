import CoinfluxCore

/// The processor's state for one owned partition: its deriver, and where its warm-up ends.
///
/// After an assignment the source starts a partition up to `processor.warmup_messages` before
/// its committed offset; messages before `warmupEnd` were processed by an earlier owner, so they
/// rebuild state (statistics, candles, premium inputs) without being written again.
public struct PartitionState: Sendable {
    /// What happened to one message.
    public enum Outcome: Sendable, Equatable {
        /// A warm-up message: state only.
        case warmedUp
        /// Its points were added to the batch.
        case derived
        /// It does not decode: added to the batch's dead letters.
        case deadLettered
        /// An undecodable warm-up message: dead-lettered when it was first read.
        case skipped
    }

    public private(set) var deriver: PointDeriver
    /// Messages before this offset rebuild state only; nil: none do.
    public let warmupEnd: Int?
    private var scratch = LineProtocol.Buffer(capacity: 0)

    public init(settings: PointDeriver.Settings, warmupEnd: Int?) {
        deriver = PointDeriver(settings: settings)
        self.warmupEnd = warmupEnd
    }

    /// Applies `message`: warm-up, derivation into `batch`, or a dead letter of `topic`.
    public mutating func take(_ message: SourceMessage, into batch: inout PointBatch, counts: inout DerivationCounts,
                              topic: String, now: ContinuousClock.Instant) -> Outcome {
        let warmingUp = warmupEnd.map { message.position.offset < $0 } ?? false
        switch message.record {
        case .success(let record) where warmingUp:
            var ignored = DerivationCounts()
            deriver.apply(record, emit: false, into: &scratch, counts: &ignored)
            return .warmedUp
        case .success(let record):
            batch.add(record, of: message, deriver: &deriver, counts: &counts, now: now)
            return .derived
        case .failure where warmingUp:
            return .skipped
        case .failure(let undecodable):
            batch.addUndecodable(undecodable, of: message, topic: topic, now: now)
            return .deadLettered
        }
    }

    /// Records the rates that reached the processor outside this partition (the FX topic).
    public mutating func updateExchangeRates(_ rates: ExchangeRates) {
        if let rate = rates.krwPerUSDT {
            deriver.updateExchangeRate(krwPerUSDT: rate.krwPerUSDT, eventTimeNanos: rate.eventTimeNanos)
        }
        if let fx = rates.fx { deriver.updateFXRate(fx) }
    }
}

/// The rates the FX topic carries, each the newest known: the Korean venues' KRW per USDT (their
/// `USDT-KRW` tickers) and the FX source's KRW per USD.
public struct ExchangeRates: Sendable, Hashable {
    public var krwPerUSDT: ExchangeRate?
    public var fx: FXRate?

    public init(krwPerUSDT: ExchangeRate? = nil, fx: FXRate? = nil) {
        self.krwPerUSDT = krwPerUSDT
        self.fx = fx
    }
}

/// A KRW-per-USDT rate and the event time it was quoted at.
public struct ExchangeRate: Sendable, Hashable {
    public var krwPerUSDT: Double
    public var eventTimeNanos: Int64

    public init(krwPerUSDT: Double, eventTimeNanos: Int64) {
        self.krwPerUSDT = krwPerUSDT
        self.eventTimeNanos = eventTimeNanos
    }
}
