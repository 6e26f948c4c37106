/// Running price statistics for one (exchange, symbol): last price, change rate, EMA, deviation
/// from the EMA, and optional time-decay averages.
///
/// For each accepted price `P_t`:
/// - change rate `(P_t − P_{t−1}) / P_{t−1}` (none for the first price);
/// - `EMA_t = α · P_t + (1 − α) · EMA_{t−1}`, seeded with the first price;
/// - deviation `(P_t − EMA_t) / EMA_t`;
/// - each ``TimeDecayAverage`` in ``timeDecayAverages`` gets `P_t` at its event time.
///
/// Ratios are fractions (0.012 = 1.2 %). Prices are positive, so the EMA and the previous price
/// are positive and nothing is ever divided by zero. (A change rate can still overflow to
/// +infinity for an absurd jump such as 1e-300 → 1e300; the line-protocol encoder skips
/// non-finite fields and counts them.)
///
/// Which ticks are applied (checked in this order):
/// 1. NaN or ±infinity → ``Rejection/notFinite``; zero or negative → ``Rejection/notPositive``.
/// 2. Event time earlier than the last applied tick's → ``Rejection/outOfOrder``.
/// 3. Same event time, same price and same trade id (or both without one) as the last applied
///    tick → ``Rejection/duplicate``: a redelivery, ignored.
/// 4. Everything else is applied, including a different trade at the same event time.
/// Only the last applied tick is remembered, so a repeat of an older tick that shares the last
/// tick's timestamp but not its trade id is applied again. A rejected tick changes nothing.
///
/// A value type without references except the (usually empty) array of time-decay averages,
/// which is allocated once: an update allocates nothing.
public struct PriceStatistics: Sendable {
    /// Settings shared by every (exchange, symbol).
    public struct Configuration: Sendable, Hashable {
        /// The EMA smoothing factor α, in (0, 1]. Default: 0.1.
        public let alpha: Double
        /// Half-lives of the extra time-decay averages, in nanoseconds. Default: none.
        public let halfLivesNanos: [Int64]

        /// Validated settings.
        /// - Parameters:
        ///   - alpha: In (0, 1]; 1 makes the EMA equal the last price.
        ///   - halfLives: Each positive and at most about 292 years.
        /// - Throws: ``ConfigurationError``.
        public init(alpha: Double = 0.1, halfLives: [Duration] = []) throws(ConfigurationError) {
            guard alpha > 0, alpha <= 1 else { throw .alphaOutOfRange(alpha) }
            var nanos: [Int64] = []
            for halfLife in halfLives {
                guard let value = halfLife.wholeNanoseconds, value > 0 else {
                    throw .halfLifeNotPositive(halfLife)
                }
                nanos.append(value)
            }
            self.alpha = alpha
            self.halfLivesNanos = nanos
        }
    }

    /// An invalid ``Configuration``.
    public enum ConfigurationError: Error, Sendable, Hashable {
        /// α must be in (0, 1] (NaN is not).
        case alphaOutOfRange(Double)
        /// A half-life must be positive and fit in 64-bit nanoseconds.
        case halfLifeNotPositive(Duration)
    }

    /// Why a tick was not applied.
    public enum Rejection: Error, Sendable, Hashable {
        /// The price is NaN or infinite.
        case notFinite
        /// The price is zero or negative.
        case notPositive
        /// The tick is older than the last applied one.
        case outOfOrder
        /// The tick repeats the last applied one (time, price, trade id).
        case duplicate
    }

    /// The figures after an applied tick.
    public struct Snapshot: Sendable, Hashable {
        /// The tick's price.
        public var price: Double
        /// `(P_t − P_{t−1}) / P_{t−1}`; nil for the first tick.
        public var changeRate: Double?
        /// The EMA including this price.
        public var ema: Double
        /// `(P_t − EMA_t) / EMA_t`.
        public var deviation: Double
        /// The tick's event time, nanoseconds since the epoch.
        public var eventTimeNanos: Int64

        public init(price: Double, changeRate: Double?, ema: Double, deviation: Double, eventTimeNanos: Int64) {
            self.price = price
            self.changeRate = changeRate
            self.ema = ema
            self.deviation = deviation
            self.eventTimeNanos = eventTimeNanos
        }
    }

    /// What ``update(price:eventTimeNanos:tradeID:)`` did.
    public enum Outcome: Sendable, Hashable {
        /// The tick was applied.
        case applied(Snapshot)
        /// The tick was not applied; nothing changed.
        case rejected(Rejection)
    }

    /// α of the EMA.
    public let alpha: Double
    /// Last applied price; nil before the first tick.
    public private(set) var lastPrice: Double?
    /// Current EMA; nil before the first tick.
    public var ema: Double? { lastPrice == nil ? nil : currentEMA }
    /// Deviation of the last price from the current EMA; nil before the first tick.
    public var deviation: Double? { lastPrice.map { Self.deviation(price: $0, ema: currentEMA) } }
    private var currentEMA: Double = 0
    /// Event time of the last applied tick; `Int64.min` before the first.
    public private(set) var lastEventTimeNanos: Int64 = .min
    /// Trade id of the last applied tick.
    public private(set) var lastTradeID: String?
    /// How many ticks were applied.
    public private(set) var appliedCount = 0
    /// One average per configured half-life, in configuration order.
    public private(set) var timeDecayAverages: [TimeDecayAverage]

    /// Empty statistics.
    public init(configuration: Configuration) {
        alpha = configuration.alpha
        timeDecayAverages = configuration.halfLivesNanos.compactMap { TimeDecayAverage(halfLifeNanos: $0) }
    }

    /// Applies one tick, or says why not.
    /// - Parameters:
    ///   - price: Last or trade price.
    ///   - eventTimeNanos: The exchange's event time.
    ///   - tradeID: The trade id, if any; used only to recognise a redelivered tick.
    public mutating func update(price: Double, eventTimeNanos: Int64, tradeID: String? = nil) -> Outcome {
        guard price.isFinite else { return .rejected(.notFinite) }
        guard price > 0 else { return .rejected(.notPositive) }

        guard let previous = lastPrice else {
            currentEMA = price
            accept(price: price, eventTimeNanos: eventTimeNanos, tradeID: tradeID)
            return .applied(Snapshot(price: price, changeRate: nil, ema: price, deviation: 0, eventTimeNanos: eventTimeNanos))
        }
        guard eventTimeNanos >= lastEventTimeNanos else { return .rejected(.outOfOrder) }
        if eventTimeNanos == lastEventTimeNanos, price == previous, tradeID == lastTradeID {
            return .rejected(.duplicate)
        }

        let ema = alpha * price + (1 - alpha) * currentEMA
        currentEMA = ema
        accept(price: price, eventTimeNanos: eventTimeNanos, tradeID: tradeID)
        return .applied(Snapshot(
            price: price,
            changeRate: (price - previous) / previous,
            ema: ema,
            deviation: Self.deviation(price: price, ema: ema),
            eventTimeNanos: eventTimeNanos
        ))
    }

    /// Applies a market event's price, time and trade id.
    public mutating func update(with event: MarketEvent) -> Outcome {
        update(price: event.price, eventTimeNanos: event.eventTimeNanos, tradeID: event.tradeID)
    }

    /// `(P − EMA) / EMA`.
    private static func deviation(price: Double, ema: Double) -> Double {
        (price - ema) / ema
    }

    private mutating func accept(price: Double, eventTimeNanos: Int64, tradeID: String?) {
        lastPrice = price
        lastEventTimeNanos = eventTimeNanos
        lastTradeID = tradeID
        appliedCount += 1
        for index in timeDecayAverages.indices {
            timeDecayAverages[index].add(price, atNanos: eventTimeNanos)
        }
    }
}
