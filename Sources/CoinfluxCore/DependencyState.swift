/// How a process sees something it depends on (InfluxDB, the Kafka brokers) at one check.
public enum DependencyState: Sendable, Hashable {
    /// It answers and accepts what the process needs.
    case available
    /// It cannot be used now, in a way waiting usually heals: refused connections, timeouts,
    /// an overloaded server. The process waits without limit.
    case unavailable(String)
    /// It cannot be used, in a way waiting rarely heals: a name that does not resolve, refused
    /// credentials, a missing database, TLS spoken to a plain port. At start the process waits
    /// a grace period for it (an operator may be fixing it), then exits.
    case misconfigured(String)

    /// What is wrong; empty when available.
    public var reason: String {
        switch self {
        case .available: ""
        case .unavailable(let reason), .misconfigured(let reason): reason
        }
    }
}
