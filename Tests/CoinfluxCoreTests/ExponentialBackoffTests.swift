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
        var generator = SeededGenerator(seed: 5)
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
}
