/// Whether writes currently get through, for `/readyz` and for pausing intake.
///
/// Any state but ``healthy`` means some request is waiting to be retried; the writer keeps
/// retrying in every state and never drops lines because of it.
public enum WriterHealth: Sendable, Hashable {
    /// The last answer was 2xx, or rejected bad lines (the server is up and accepting).
    case healthy
    /// Unreachable, timing out, overloaded or failing (connection errors, timeouts, 408, 429,
    /// 5xx): retried with capped exponential backoff.
    case unavailable(String)
    /// The server refuses the credentials (401/403): retried every `heldInterval` until an
    /// operator fixes the token or the grants, logged once per `logInterval`.
    case unauthorized(String)
    /// The database, bucket or retention policy does not exist, or the server answered with a
    /// status a write never expects (404, 3xx, other 4xx): retried every `heldInterval`.
    case misconfigured(String)

    /// True in every state but ``healthy``.
    public var isFailing: Bool { self != .healthy }

    /// A short, fixed name for metric labels and logs: `healthy`, `unavailable`, `unauthorized`,
    /// `misconfigured`.
    public var name: String {
        switch self {
        case .healthy: "healthy"
        case .unavailable: "unavailable"
        case .unauthorized: "unauthorized"
        case .misconfigured: "misconfigured"
        }
    }

    /// What went wrong, empty when healthy.
    public var reason: String {
        switch self {
        case .healthy: ""
        case .unavailable(let reason), .unauthorized(let reason), .misconfigured(let reason): reason
        }
    }
}
