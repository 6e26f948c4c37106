import Foundation

/// An exponential moving average whose weight depends on elapsed time rather than on the number
/// of samples: after one half-life a value counts half as much.
///
/// For a sample `P_t` arriving `Δt` after the previous one:
/// `α_t = 1 − exp(−Δt · ln 2 / halfLife)` and `A_t = α_t · P_t + (1 − α_t) · A_{t−1}`,
/// seeded with the first sample. `α_t` is computed as `−expm1(−Δt · ln 2 / halfLife)`, the same
/// quantity without the cancellation `1 − exp(…)` suffers for small `Δt`.
///
/// `Δt ≤ 0` gives `α_t = 0`: a sample at the same time as the previous one (or, used on its
/// own, an older one) leaves the average unchanged. An average over time gives no weight to a
/// zero-length span; `PriceStatistics` rejects older ticks before they get here.
public struct TimeDecayAverage: Sendable, Hashable {
    /// The half-life in nanoseconds.
    public let halfLifeNanos: Int64
    /// The current average; nil before the first sample.
    public private(set) var value: Double?
    /// Time of the last sample, nanoseconds since the epoch.
    public private(set) var lastTimeNanos: Int64 = 0
    /// `ln 2 / halfLife`, per nanosecond.
    private let decayPerNanosecond: Double

    /// An empty average.
    /// - Parameter halfLifeNanos: Must be positive.
    /// - Returns: nil when `halfLifeNanos` is not positive.
    public init?(halfLifeNanos: Int64) {
        guard halfLifeNanos > 0 else { return nil }
        self.halfLifeNanos = halfLifeNanos
        self.decayPerNanosecond = M_LN2 / Double(halfLifeNanos)
    }

    /// Adds a sample.
    /// - Parameters:
    ///   - sample: The new value (the caller has checked it is finite).
    ///   - timeNanos: Its time, nanoseconds since the epoch.
    public mutating func add(_ sample: Double, atNanos timeNanos: Int64) {
        guard let previous = value else {
            value = sample
            lastTimeNanos = timeNanos
            return
        }
        let elapsed = Self.elapsedNanos(from: lastTimeNanos, to: timeNanos)
        if elapsed > 0 {
            let alpha = -expm1(-elapsed * decayPerNanosecond)
            value = alpha * sample + (1 - alpha) * previous
            lastTimeNanos = timeNanos
        }
    }

    /// `to − from` in nanoseconds as a `Double`, without trapping on extreme inputs.
    private static func elapsedNanos(from: Int64, to: Int64) -> Double {
        let (difference, overflow) = to.subtractingReportingOverflow(from)
        return overflow ? Double(to) - Double(from) : Double(difference)
    }
}
