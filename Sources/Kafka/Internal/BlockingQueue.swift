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

    /// Runs `body` on the queue and returns its result to the calling task.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}
