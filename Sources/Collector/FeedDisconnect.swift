/// Why a feed's WebSocket connection ended; the `reason` label of `coinflux_feed_reconnects_total`.
public struct FeedDisconnect: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// The server closed the connection (or the stream ended).
        case closed
        /// No frame arrived within the silence timeout: the socket was presumed dead and replaced.
        case silent
        /// The connection reached the exchange's lifetime limit and was replaced proactively.
        case lifetime
        /// Connecting failed, or the connection failed with an error.
        case error
        /// The connection's symbols changed (market discovery): it was replaced by one carrying
        /// the new set, opened before it closed, or closed when none were left.
        case resubscribe
    }

    public var reason: Reason
    /// Detail for the log line (close code, error text).
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
