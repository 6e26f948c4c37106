import CoinfluxCore
import Testing

/// The once-resumed continuation behind `BlockingQueue.run` (Kafka) and `InFlight.value(before:)` (Processor).
@Suite struct ResumeOnceTests {
    @Test("the first finisher wins; later ones are ignored")
    func firstFinisherWins() async {
        let once = ResumeOnce<Int, Never>()
        let value = await withCheckedContinuation { continuation in
            #expect(once.install(continuation))
            once.resume(returning: 1)
            once.resume(returning: 2)
        }
        #expect(value == 1)
    }

    @Test("a finisher before the install resumes the continuation at once, and install says so")
    func finishedBeforeInstall() async {
        let once = ResumeOnce<String, any Error>()
        once.resume(with: .failure(CancellationError()))
        once.resume(with: .success("late"))
        var installed = true
        await #expect(throws: CancellationError.self) {
            try await withCheckedThrowingContinuation { continuation in
                installed = once.install(continuation)
            }
        }
        #expect(!installed)
    }
}
