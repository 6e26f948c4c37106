import Synchronization

/// A continuation resumed exactly once, by whichever of several finishers comes first (a result,
/// a timeout, a cancellation), including one that finishes before the continuation is installed.
public final class ResumeOnce<Success: Sendable, Failure: Error>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<Success, Failure>)
        /// Finished before the continuation was installed.
        case finished(Result<Success, Failure>)
        case done
    }

    private let state = Mutex(State.waiting)

    public init() {}

    /// Installs the continuation; returns false (having resumed it) when the wait already ended.
    @discardableResult
    public func install(_ continuation: CheckedContinuation<Success, Failure>) -> Bool {
        let early: Result<Success, Failure>? = state.withLock { state in
            if case .finished(let result) = state {
                state = .done
                return result
            }
            state = .installed(continuation)
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    /// Resumes the waiting task with `result`, unless it was resumed already.
    public func resume(with result: Result<Success, Failure>) {
        let continuation: CheckedContinuation<Success, Failure>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .finished(result)
                return nil
            case .installed(let continuation):
                state = .done
                return continuation
            case .finished, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}

extension ResumeOnce where Failure == Never {
    /// Resumes the waiting task with `value`, unless it was resumed already.
    public func resume(returning value: Success) {
        resume(with: .success(value))
    }
}
