import Testing
import TestSupport

@testable import Collector

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test func ceilingDoublesUntilTheCap() {
        var backoff = ReconnectBackoff(settings: .init(initial: .milliseconds(100), maximum: .seconds(2)))
        var generator = SeededGenerator(seed: 1)
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
        var generator = SeededGenerator(seed: 42)
        var delays: [Duration] = []
        for _ in 0..<200 {
            var backoff = ReconnectBackoff(settings: .init(initial: .seconds(1), maximum: .seconds(30)))
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
        var backoff = ReconnectBackoff(settings: .init(initial: .milliseconds(500), maximum: .seconds(30)))
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<10 { _ = backoff.nextDelay(using: &generator) }
        #expect(backoff.ceiling == .seconds(30))
        backoff.reset()
        #expect(backoff.attempt == 0)
        #expect(backoff.ceiling == .milliseconds(500))
    }

    @Test func manyAttemptsNeitherOverflowNorExceedTheCap() {
        var backoff = ReconnectBackoff(settings: .init(initial: .seconds(1), maximum: .seconds(60)))
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<10_000 {
            #expect(backoff.nextDelay(using: &generator) <= .seconds(60))
        }
    }
}
