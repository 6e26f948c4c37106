/// What one write request produced, as the retry policy sees it.
public enum AttemptResult: Sendable, Hashable {
    /// The server answered with `status`. `retryAfter` is the raw `Retry-After` header if any;
    /// `message` is InfluxDB's error text (from the JSON body, else the body itself, truncated).
    case response(status: Int, retryAfter: String?, message: String)
    /// No complete answer within the request timeout.
    case timeout
    /// The connection could not be opened or broke: refused, reset, closed early, DNS, TLS.
    case connectionFailed(String)

    /// A fixed label for metrics: the status code (`"204"`), `"timeout"` or `"connection_error"`.
    public var label: String {
        switch self {
        case .response(let status, _, _): String(status)
        case .timeout: "timeout"
        case .connectionFailed: "connection_error"
        }
    }
}
