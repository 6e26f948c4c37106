import CoinfluxCore

/// Capped exponential backoff with full jitter for reconnect attempts.
///
/// Attempt *n* (from 0) waits a uniformly random time in `[0, min(maximum, initial · 2ⁿ)]`
/// ("full jitter"), so many collectors restarting together do not reconnect in lockstep and an
/// exchange's connection limits (Binance: 300 attempts per 5 min) are respected. The feed calls
/// `reset()` once a connection has stayed healthy for a while.
public struct ReconnectBackoff: Sendable {
    /// Delays of the first attempt and the cap. Defaults: 500 ms and 30 s.
    public struct Settings: Sendable, Equatable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    public let settings: Settings
    /// Failed attempts since the last reset.
    public private(set) var attempt = 0

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The upper bound of the next delay: `min(maximum, initial · 2^attempt)`.
    public var ceiling: Duration {
        ExponentialBackoff.ceiling(attempt: attempt, initial: settings.initial, maximum: settings.maximum)
    }

    /// The delay before the next attempt, drawn from `[0, ceiling]`; advances the attempt count.
    public mutating func nextDelay<R: RandomNumberGenerator>(using generator: inout R) -> Duration {
        defer { attempt += 1 }
        return ExponentialBackoff.delay(attempt: attempt, initial: settings.initial, maximum: settings.maximum, using: &generator)
    }

    /// The delay before the next attempt, using the system random generator.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Starts over from the initial delay (after a healthy connection).
    public mutating func reset() {
        attempt = 0
    }
}
