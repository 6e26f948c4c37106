/// Capped exponential backoff with jitter, as pure arithmetic.
enum Backoff {
    /// The delay before the next attempt after `failures` consecutive failures (1 for the first):
    /// `initial · 2^(failures−1)`, capped at `max`, then reduced by a random fraction of up to
    /// `jitter` of itself (full jitter at `jitter == 1`: uniform in `[0, capped]`).
    static func delay(
        failures: Int,
        retry: InfluxWriterConfiguration.Retry,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let initial = retry.initialBackoff.seconds
        let cap = retry.maxBackoff.seconds
        let doublings = min(max(failures - 1, 0), 62)
        let capped = min(cap, initial * Double(sign: .plus, exponent: doublings, significand: 1))
        let jitter = min(max(retry.jitter, 0), 1)
        let factor = 1 - jitter * Double.random(in: 0..<1, using: &generator)
        return .seconds(capped * factor)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
