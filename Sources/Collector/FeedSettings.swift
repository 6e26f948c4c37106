import CoinfluxCore
import Foundation
import NIOSSL

/// Timing and limits of one exchange feed. Every value has a default suitable for the real exchanges.
public struct FeedSettings: Sendable {
    /// A socket that delivers no frame for this long is presumed dead and replaced. Default: 30 s.
    public var silenceTimeout: Duration
    /// Reconnect backoff. Default: full jitter from 500 ms, capped at 30 s.
    public var backoff: ExponentialBackoff.Bounds
    /// A connection that stayed up this long resets the backoff. Default: 60 s.
    public var healthyAfter: Duration
    /// Start polling the REST ticker once the socket has been down this long. Default: 10 s.
    public var restFallbackAfter: Duration
    /// Pause between two REST polls, each of which fetches every symbol. Default: 2 s.
    public var restPollInterval: Duration
    /// REST requests per second of all the exchange's connections together; nil uses the
    /// exchange's own budget (`ExchangeAdapter.restRequestsPerSecond`). A poll of many symbols
    /// takes (requests) / (this) seconds.
    public var restRequestsPerSecond: Double?
    /// How long the exchange's REST polls pause after HTTP 429 or 418 without `Retry-After`. Default: 60 s.
    public var restRateLimitPause: Duration
    /// Largest WebSocket message accepted; larger ones are counted as parse errors. Default: 4 MiB.
    public var maximumMessageSize: Int
    /// How long to wait for the server's close handshake before dropping a socket. Default: 2 s.
    public var closeTimeout: Duration
    /// Connection lifetime override; nil uses the exchange's own (`ConnectionPolicy.maximumConnectionAge`,
    /// Binance 23 h 45 m). Useful to see the planned rotation in a test.
    public var maximumConnectionAge: Duration?
    /// Keepalive interval override; nil uses the exchange's own (`ConnectionPolicy.pingInterval`).
    /// Useful against a server with shorter idle limits, such as the simulator in tests.
    public var pingInterval: Duration?
    /// PEM file of the certificate authorities a `wss`/`https` server's certificate must chain
    /// to, instead of the system's; nil: the system's. Certificates and host names are verified
    /// either way. Default: nil.
    public var trustedCertificatesFile: String?

    public init(
        silenceTimeout: Duration = .seconds(30),
        backoff: ExponentialBackoff.Bounds = .init(),
        healthyAfter: Duration = .seconds(60),
        restFallbackAfter: Duration = .seconds(10),
        restPollInterval: Duration = .seconds(2),
        restRequestsPerSecond: Double? = nil,
        restRateLimitPause: Duration = .seconds(60),
        maximumMessageSize: Int = 4 << 20,
        closeTimeout: Duration = .seconds(2),
        pingInterval: Duration? = nil,
        maximumConnectionAge: Duration? = nil,
        trustedCertificatesFile: String? = nil
    ) {
        self.silenceTimeout = silenceTimeout
        self.backoff = backoff
        self.healthyAfter = healthyAfter
        self.restFallbackAfter = restFallbackAfter
        self.restPollInterval = restPollInterval
        self.restRequestsPerSecond = restRequestsPerSecond
        self.restRateLimitPause = restRateLimitPause
        self.maximumMessageSize = maximumMessageSize
        self.closeTimeout = closeTimeout
        self.pingInterval = pingInterval
        self.maximumConnectionAge = maximumConnectionAge
        self.trustedCertificatesFile = trustedCertificatesFile
    }

    /// The TLS configuration of `wss`/`https` connections: nil (the libraries' default, which
    /// verifies against the system's authorities) unless a CA file is set.
    public var tlsConfiguration: TLSConfiguration? {
        guard let trustedCertificatesFile else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(trustedCertificatesFile)
        return tls
    }
}
