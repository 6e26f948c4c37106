import Collector
import Testing

@Suite("Request pacer")
struct RequestPacerTests {
    let start = ContinuousClock.now

    @Test("slots are spaced by 1/rate; an idle pacer saves up no burst")
    func spacesRequests() {
        let pacer = RequestPacer(requestsPerSecond: 10)
        #expect(pacer.spacing == .milliseconds(100))
        #expect(pacer.reserve(at: start) == start)
        #expect(pacer.reserve(at: start) == start + .milliseconds(100))
        #expect(pacer.reserve(at: start + .milliseconds(150)) == start + .milliseconds(200))
        // After a long pause the next request goes at once, the one after it a spacing later.
        #expect(pacer.reserve(at: start + .seconds(5)) == start + .seconds(5))
        #expect(pacer.reserve(at: start + .seconds(5)) == start + .milliseconds(5_100))
    }

    @Test("concurrent callers get distinct slots: 40 requests at 400/s span a tenth of a second")
    func sharedByConcurrentCallers() async throws {
        let pacer = RequestPacer(requestsPerSecond: 400)
        let begun = ContinuousClock.now
        let slots = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await pacer.wait()
                    return .now
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(slots.count == 40)
        // The last of 40 slots is 39 spacings after the first: no earlier than 97.5 ms.
        #expect(slots.max()! - begun >= .microseconds(97_500))
    }

    @Test("a hold moves every later slot past its end; a shorter hold does not shorten it")
    func holdDelaysEverySlot() {
        let pacer = RequestPacer(requestsPerSecond: 10)
        #expect(pacer.reserve(at: start) == start)
        pacer.hold(until: start + .seconds(2))
        pacer.hold(until: start + .seconds(1))
        #expect(pacer.isHeld(at: start + .milliseconds(1_500)))
        #expect(!pacer.isHeld(at: start + .seconds(2)))
        #expect(pacer.reserve(at: start + .milliseconds(10)) == start + .seconds(2))
        #expect(pacer.reserve(at: start + .milliseconds(10)) == start + .milliseconds(2_100))
    }
}
