/// Capped exponential backoff with jitter: attempt *n* (from 0) waits at most
/// `min(maximum, initial · 2ⁿ)`, reduced by a random fraction of up to `jitter` of itself, so
/// that many clients failing together do not retry in lockstep. The feeds' reconnects and the
/// InfluxDB writer's retries both wait this way.
///
/// The value counts failed attempts (``nextDelay(using:)``) until ``reset()``; the static
/// functions are the same arithmetic for callers that count attempts themselves.
public struct ExponentialBackoff: Sendable {
    /// The first delay's ceiling, the cap, and how much of each delay is random.
    public struct Bounds: Sendable, Equatable {
        public var initial: Duration
        public var maximum: Duration
        /// 1: full jitter (uniform in `[0, ceiling]`); 0: exactly the ceiling.
        public var jitter: Double

        public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), jitter: Double = 1) {
            self.initial = initial
            self.maximum = maximum
            self.jitter = jitter
        }
    }

    public let bounds: Bounds
    /// Failed attempts since the last reset.
    public private(set) var attempt = 0

    public init(_ bounds: Bounds) {
        self.bounds = bounds
    }

    /// The upper bound of the next delay: `min(maximum, initial · 2^attempt)`.
    public var ceiling: Duration {
        Self.ceiling(attempt: attempt, initial: bounds.initial, maximum: bounds.maximum)
    }

    /// The delay before the next attempt; advances the attempt count.
    public mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        defer { attempt += 1 }
        return Self.delay(attempt: attempt, initial: bounds.initial, maximum: bounds.maximum, jitter: bounds.jitter, using: &generator)
    }

    /// The delay before the next attempt, using the system random generator.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Starts over from the initial delay (after a healthy period).
    public mutating func reset() {
        attempt = 0
    }

    /// `min(maximum, initial · 2^attempt)`, with `attempt` counted from 0 (negative counts as 0).
    public static func ceiling(attempt: Int, initial: Duration, maximum: Duration) -> Duration {
        let exponent = min(max(attempt, 0), 40)  // 2^40 · anything sensible is far past any cap
        return min(maximum, initial * (1 << exponent))
    }

    /// The ceiling reduced by a random fraction of up to `jitter` of itself: `jitter` 1 is full
    /// jitter (uniform in `[0, ceiling]`), 0 none (exactly the ceiling); values outside `[0, 1]`
    /// are clamped.
    public static func delay(
        attempt: Int, initial: Duration, maximum: Duration, jitter: Double = 1,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let bound = ceiling(attempt: attempt, initial: initial, maximum: maximum)
        let jitter = jitter.isNaN ? 1 : min(max(jitter, 0), 1)
        guard jitter > 0 else { return bound }
        let factor = 1 - jitter * Double.random(in: 0..<1, using: &generator)
        return .nanoseconds(Int64(Double(bound.saturatingNanoseconds) * factor))
    }
}
