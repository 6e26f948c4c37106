import CoinfluxCore
import Testing
import TestSupport

@Suite("Exponential backoff")
struct ExponentialBackoffTests {
    @Test("the ceiling doubles from the initial delay up to the cap; huge and negative attempts are safe")
    func ceiling() {
        let ceilings = (0..<6).map { ExponentialBackoff.ceiling(attempt: $0, initial: .milliseconds(250), maximum: .seconds(5)) }
        #expect(ceilings == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5)])
        #expect(ExponentialBackoff.ceiling(attempt: 10_000, initial: .seconds(1), maximum: .seconds(60)) == .seconds(60))
        #expect(ExponentialBackoff.ceiling(attempt: -3, initial: .seconds(1), maximum: .seconds(60)) == .seconds(1))
    }

    @Test("jitter 0 is the ceiling exactly; jitter j keeps delays in [ceiling·(1−j), ceiling]; out-of-range jitter is clamped")
    func jitter() {
        var generator = SplitMix64(seed: 5)
        #expect(ExponentialBackoff.delay(attempt: 2, initial: .seconds(1), maximum: .seconds(30), jitter: 0, using: &generator) == .seconds(4))
        for _ in 0..<500 {
            let half = ExponentialBackoff.delay(attempt: 2, initial: .seconds(1), maximum: .seconds(30), jitter: 0.5, using: &generator)
            #expect(half >= .seconds(2) && half <= .seconds(4))
            let clamped = ExponentialBackoff.delay(attempt: 2, initial: .seconds(1), maximum: .seconds(30), jitter: 7, using: &generator)
            #expect(clamped >= .zero && clamped <= .seconds(4))
        }
        let full = (0..<1_000).map { _ in ExponentialBackoff.delay(attempt: 3, initial: .seconds(1), maximum: .seconds(30), using: &generator) }
        #expect(full.contains { $0 < .seconds(1) } && full.contains { $0 > .seconds(7) })
    }

    // MARK: Counting attempts

    @Test func ceilingDoublesUntilTheCap() {
        var backoff = ExponentialBackoff(.init(initial: .milliseconds(100), maximum: .seconds(2)))
        var generator = SplitMix64(seed: 1)
        var ceilings: [Duration] = []
        for _ in 0..<8 {
            ceilings.append(backoff.ceiling)
            _ = backoff.nextDelay(using: &generator)
        }
        // 100 ms · 2^n: 100, 200, 400, 800, 1600, then capped at 2000.
        #expect(ceilings == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                             .milliseconds(1600), .seconds(2), .seconds(2), .seconds(2)])
    }

    @Test func delaysAreJitteredWithinTheCeiling() {
        var generator = SplitMix64(seed: 42)
        var delays: [Duration] = []
        for _ in 0..<200 {
            var backoff = ExponentialBackoff(.init(initial: .seconds(1), maximum: .seconds(30)))
            for _ in 0..<3 { _ = backoff.nextDelay(using: &generator) }
            let ceiling = backoff.ceiling  // 8 s for the 4th attempt
            let delay = backoff.nextDelay(using: &generator)
            #expect(delay >= .zero && delay <= ceiling)
            delays.append(delay)
        }
        // Full jitter spreads the 4th attempt over [0, 8 s]: both halves are used.
        #expect(delays.contains { $0 < .seconds(4) })
        #expect(delays.contains { $0 > .seconds(4) })
        #expect(Set(delays).count > 150)
    }

    @Test func resetStartsOver() {
        var backoff = ExponentialBackoff(.init(initial: .milliseconds(500), maximum: .seconds(30)))
        var generator = SplitMix64(seed: 7)
        for _ in 0..<10 { _ = backoff.nextDelay(using: &generator) }
        #expect(backoff.ceiling == .seconds(30))
        backoff.reset()
        #expect(backoff.attempt == 0)
        #expect(backoff.ceiling == .milliseconds(500))
    }

    @Test func manyAttemptsNeitherOverflowNorExceedTheCap() {
        var backoff = ExponentialBackoff(.init(initial: .seconds(1), maximum: .seconds(60)))
        var generator = SplitMix64(seed: 9)
        for _ in 0..<10_000 {
            #expect(backoff.nextDelay(using: &generator) <= .seconds(60))
        }
    }
}
