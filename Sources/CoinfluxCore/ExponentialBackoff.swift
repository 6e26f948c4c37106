/// Capped exponential backoff with jitter, as pure arithmetic. The feeds' reconnects and the
/// InfluxDB writer's retries both wait this way, so that many clients failing together do not
/// retry in lockstep.
public enum ExponentialBackoff {
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
