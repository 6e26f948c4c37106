import CoinfluxCore
import Synchronization

/// What `/readyz` reports: a set of named checks, each saying why its part is not ready, or nil.
///
/// Parts register a check when they start (a feed: "connected"; the processor: "InfluxDB writable");
/// the endpoint evaluates them all on each request.
public final class Readiness: Sendable {
    /// Returns nil when ready, else a short reason ("websocket disconnected for 12 s").
    public typealias Check = @Sendable () -> String?

    private let checks = Mutex<[(name: String, check: Check)]>([])

    public init() {}

    /// Adds a check under `name` (shown in the `/readyz` body).
    public func register(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    /// The reasons of every part that is not ready, by name; empty when everything is ready.
    public func notReady() -> [(name: String, reason: String)] {
        let current = checks.withLock { $0 }
        return current.compactMap { entry in entry.check().map { (entry.name, $0) } }
    }

    /// The `/readyz` body: `{"ready":true}` or `{"ready":false,"not_ready":{"name":"reason",…}}`.
    public static func body(for problems: [(name: String, reason: String)]) -> String {
        guard !problems.isEmpty else { return "{\"ready\":true}" }
        let members = problems.map { "\(JSONText.quoted($0.name)):\(JSONText.quoted($0.reason))" }.joined(separator: ",")
        return "{\"ready\":false,\"not_ready\":{\(members)}}"
    }
}
