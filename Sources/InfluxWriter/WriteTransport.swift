/// Sends one request's worth of lines, once, and says what came back: the seam between the
/// delivery logic (``Delivery``) and HTTP, so the logic can be tested with a fake server.
protocol WriteTransport: Sendable {
    /// Sends `lines` in one request. Failures of the request are results, not errors. When the
    /// task is cancelled the result is meaningless and the caller checks for cancellation.
    /// - Returns: The result and the number of body bytes sent.
    /// - Throws: `CancellationError` when the transport is shut down and can never send again.
    func send(_ lines: LineBatch) async throws(CancellationError) -> (result: AttemptResult, bodyBytes: Int)
}
