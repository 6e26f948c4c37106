import CoinfluxCore
import Dispatch

/// Runs blocking librdkafka calls (polls with a timeout, flush, synchronous commit, metadata,
/// close) on a dispatch queue, so they never block a thread of Swift's cooperative pool.
struct BlockingQueue: Sendable {
    private let queue: DispatchQueue

    /// - Parameters:
    ///   - label: dispatch queue label, shown in thread names and backtraces.
    ///   - concurrent: whether calls may overlap (false serializes them in submission order).
    init(label: String, concurrent: Bool) {
        queue = DispatchQueue(label: label, attributes: concurrent ? [.concurrent] : [])
    }

    /// Runs `body` on the queue and returns its result to the calling task. When the task is
    /// cancelled first, the wait ends at once with `CancellationError`; `body` still runs to its
    /// end on the queue and its result is dropped. A call blocked on an unreachable broker can
    /// therefore never hold up a cancelled shutdown.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let waiter = ResumeOnce<Result, any Error>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.install(continuation) else { return }
                queue.async {
                    waiter.resume(with: Swift.Result { try body() })
                }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }

    /// Runs `body` on the queue and waits for it even if the calling task is cancelled: for
    /// calls that bound their own time and must finish (closing a consumer within its timeout).
    func runToCompletion<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}
