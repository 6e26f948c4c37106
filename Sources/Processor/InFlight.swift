import CoinfluxCore
import Synchronization

/// A piece of the processing loop's work running in a task of its own (a write, a commit), which
/// the loop checks without waiting, waits for with a deadline, or abandons.
struct InFlight<Value: Sendable>: Sendable {
    let task: Task<Value, Never>
    let startedAt: ContinuousClock.Instant
    private let done: Flag

    /// Starts `work` now.
    init(_ work: @escaping @Sendable () async -> Value) {
        let done = Flag()
        task = Task {
            defer { done.set() }
            return await work()
        }
        self.done = done
        startedAt = .now
    }

    var isFinished: Bool { done.isSet }

    /// Its value, once it is done. Cancelling the waiting task cancels the work.
    func value() async -> Value {
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Its value, waiting at most until `deadline`; nil when it is not done by then (it goes on
    /// running) or when the waiting task is cancelled.
    func value(before deadline: ContinuousClock.Instant) async -> Value? {
        if isFinished { return await task.value }
        let race = ResumeOnce<Value?, Never>()
        let task = self.task
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                race.install(continuation)
                let timer = Task {
                    try? await Task.sleep(until: deadline)
                    race.resume(returning: nil)
                }
                Task {
                    let value = await task.value
                    timer.cancel()
                    race.resume(returning: value)
                }
            }
        } onCancel: {
            race.resume(returning: nil)
        }
    }

    /// Cancels the work (a write stops retrying, a commit stops waiting).
    func cancel() {
        task.cancel()
    }
}

/// Set once, read without waiting.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() {
        value.store(true, ordering: .releasing)
    }
}
