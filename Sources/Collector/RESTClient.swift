import AsyncHTTPClient
import NIOSSL
import ServiceLifecycle

/// The REST fallback's HTTP client when `wss`/`https` certificates are checked against a CA
/// file: a client of its own, shut down when the collector stops (listed before the feeds, so it
/// stops after them). Without a CA file the feeds use the shared client, which needs neither.
public final class RESTClient: Service {
    public let client: HTTPClient

    public init(tlsConfiguration: TLSConfiguration) {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tlsConfiguration
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
