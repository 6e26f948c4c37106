import CoinfluxCore

/// The writer's retry delays: ``ExponentialBackoff`` with the configured bounds and jitter.
enum Backoff {
    /// The delay before the next attempt after `failures` consecutive failures (1 for the first):
    /// `initial · 2^(failures−1)`, capped at `max`, then reduced by a random fraction of up to
    /// `jitter` of itself (full jitter at `jitter == 1`: uniform in `[0, capped]`).
    static func delay(
        failures: Int,
        retry: InfluxWriterConfiguration.Retry,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        ExponentialBackoff.delay(attempt: failures - 1, initial: retry.initialBackoff, maximum: retry.maxBackoff,
                                 jitter: retry.jitter, using: &generator)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
