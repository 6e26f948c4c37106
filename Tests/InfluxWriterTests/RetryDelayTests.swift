import CoinfluxCore
import Testing
import TestSupport

@testable import InfluxWriter

@Suite("Retry delays")
struct RetryDelayTests {
    static let retry = InfluxWriterConfiguration.Retry(initialBackoff: .milliseconds(100), maxBackoff: .seconds(10), jitter: 1)

    /// The delay the retry policy waits after `failures` consecutive timeouts.
    static func delay(failures: Int, retry: InfluxWriterConfiguration.Retry, using generator: inout some RandomNumberGenerator) -> Duration {
        guard case .retry(let delay, _) = RetryPolicy(retry: retry).action(after: .timeout, lineCount: 1, failures: failures, now: 0, using: &generator)
        else { return .seconds(-1) }
        return delay
    }

    @Test("delays stay within [0, min(cap, initial·2^(n−1))] for every failure count")
    func bounded() {
        var generator = SplitMix64(seed: 7)
        for failures in 1...200 {
            let bound = min(10.0, 0.1 * Double(sign: .plus, exponent: min(failures - 1, 62), significand: 1))
            for _ in 0..<50 {
                let delay = Self.delay(failures: failures, retry: Self.retry, using: &generator).inSeconds
                #expect(delay >= 0 && delay <= bound + 1e-9)
            }
        }
    }

    @Test("full jitter spreads delays over the whole range")
    func jittered() {
        var generator = SplitMix64(seed: 11)
        let delays = (0..<1000).map { _ in Self.delay(failures: 30, retry: Self.retry, using: &generator).inSeconds }
        #expect(Set(delays).count > 990)
        #expect(delays.min()! < 0.5)
        #expect(delays.max()! > 9.5)
        let mean = delays.reduce(0, +) / Double(delays.count)
        #expect(abs(mean - 5) < 0.5)
    }

    @Test("partial jitter keeps delays in [d·(1−jitter), d]; no jitter is exact")
    func partialJitter() {
        var generator = SplitMix64(seed: 3)
        var half = Self.retry
        half.jitter = 0.5
        for _ in 0..<500 {
            let delay = Self.delay(failures: 4, retry: half, using: &generator).inSeconds
            #expect(delay >= 0.4 - 1e-9 && delay <= 0.8 + 1e-9)
        }
        var none = Self.retry
        none.jitter = 0
        #expect(Self.delay(failures: 1, retry: none, using: &generator) == .milliseconds(100))
        #expect(Self.delay(failures: 3, retry: none, using: &generator) == .milliseconds(400))
        #expect(Self.delay(failures: 1000, retry: none, using: &generator) == .seconds(10))
    }
}
