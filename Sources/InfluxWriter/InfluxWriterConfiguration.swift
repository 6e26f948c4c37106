/// Where and how ``InfluxWriter`` writes: server, API and credentials, compression, timeouts,
/// retry backoff and request size limits.
///
/// Its textual forms (`description`, `debugDescription`, `dump`) never contain the token or
/// the password: those are ``Secret``s.
public struct InfluxWriterConfiguration: Sendable {
    /// Base URL of the server, e.g. `http://127.0.0.1:8086`; a path (for a server behind a proxy)
    /// is kept and the write path is appended to it. Must not carry credentials: use ``api``.
    public var url: String

    /// Which write API to use, with its target (database or bucket) and credentials.
    public var api: API

    /// Gzip request bodies and send `Content-Encoding: gzip`. Default: `true`.
    public var gzip: Bool

    /// zlib compression level, 1 (fastest) … 9 (smallest). Default: `1`: line protocol already
    /// shrinks about tenfold at level 1, and higher levels cost several times the CPU for a few
    /// percent less. Out-of-range values are clamped.
    public var gzipLevel: Int

    /// Connect and request timeouts.
    public var timeouts: Timeouts

    /// Backoff between attempts.
    public var retry: Retry

    /// Most lines in one request; larger batches are sent as several requests. Default: `5000`.
    public var maxLinesPerRequest: Int

    /// Most uncompressed body bytes in one request (a single longer line still goes alone).
    /// Default: 4 MiB, well under InfluxDB's default `max-body-size` of 25 MB.
    public var maxBytesPerRequest: Int

    /// Keep-alive connections to the server, which is also how many requests one ``InfluxWriter``
    /// has in flight at most. Default: `2`.
    public var connections: Int

    /// PEM file of the certificate authorities an `https` server's certificate must chain to,
    /// instead of the system's; nil: the system's. Certificates and host names are verified
    /// either way. Default: nil.
    public var trustedCertificatesFile: String?

    /// A configuration with the defaults documented on each property.
    public init(
        url: String,
        api: API,
        gzip: Bool = true,
        gzipLevel: Int = 1,
        timeouts: Timeouts = Timeouts(),
        retry: Retry = Retry(),
        maxLinesPerRequest: Int = 5000,
        maxBytesPerRequest: Int = 4 << 20,
        connections: Int = 2,
        trustedCertificatesFile: String? = nil
    ) {
        self.url = url
        self.api = api
        self.gzip = gzip
        self.gzipLevel = gzipLevel
        self.timeouts = timeouts
        self.retry = retry
        self.maxLinesPerRequest = maxLinesPerRequest
        self.maxBytesPerRequest = maxBytesPerRequest
        self.connections = connections
        self.trustedCertificatesFile = trustedCertificatesFile
    }

    /// A copy with `body` applied, e.g. `config.with { $0.gzip = false }`.
    public func with(_ body: (inout InfluxWriterConfiguration) -> Void) -> InfluxWriterConfiguration {
        var copy = self
        body(&copy)
        return copy
    }
}

extension InfluxWriterConfiguration {
    /// The InfluxDB write API: v1 (`/write`, database + retention policy, optional basic auth) or
    /// v2 (`/api/v2/write`, organization + bucket, token).
    public struct API: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case v1(database: String, retentionPolicy: String?, username: String?, password: Secret?)
            case v2(organization: String, bucket: String, token: Secret)
        }

        let kind: Kind

        /// InfluxDB 1.x: `POST /write?db=&rp=&precision=ns`, with HTTP basic auth when `username` is set.
        public static func v1(
            database: String,
            retentionPolicy: String? = nil,
            username: String? = nil,
            password: Secret? = nil
        ) -> API {
            API(kind: .v1(database: database, retentionPolicy: retentionPolicy, username: username, password: password))
        }

        /// InfluxDB 2.x: `POST /api/v2/write?org=&bucket=&precision=ns` with `Authorization: Token …`.
        public static func v2(organization: String, bucket: String, token: Secret) -> API {
            API(kind: .v2(organization: organization, bucket: bucket, token: token))
        }
    }

    /// How long to wait for the server.
    public struct Timeouts: Sendable, Hashable {
        /// Time to open a TCP (and TLS) connection. Default: 5 s.
        public var connect: Duration
        /// Time for one whole request, from sending to the end of the response. Default: 30 s.
        public var request: Duration

        /// Timeouts with the documented defaults.
        public init(connect: Duration = .seconds(5), request: Duration = .seconds(30)) {
            self.connect = connect
            self.request = request
        }
    }

    /// Backoff between attempts: capped exponential with jitter for transient failures, a slow
    /// fixed interval while the server refuses the credentials or the target.
    public struct Retry: Sendable, Hashable {
        /// Delay before the first retry, doubled on each further failure. Default: 100 ms.
        public var initialBackoff: Duration
        /// Longest delay between two attempts, also for `Retry-After`. Default: 30 s.
        public var maxBackoff: Duration
        /// Fraction of each delay that is random, 0 … 1: a delay `d` becomes uniform in
        /// `[d·(1−jitter), d]`. Default: `1` ("full jitter").
        public var jitter: Double
        /// Interval between attempts while the server answers 401/403 or the database, bucket or
        /// retention policy does not exist. Default: 30 s.
        public var heldInterval: Duration
        /// While failing, the same problem is logged at most once per this interval. Default: 60 s.
        public var logInterval: Duration

        /// Backoff with the documented defaults.
        public init(
            initialBackoff: Duration = .milliseconds(100),
            maxBackoff: Duration = .seconds(30),
            jitter: Double = 1,
            heldInterval: Duration = .seconds(30),
            logInterval: Duration = .seconds(60)
        ) {
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.jitter = jitter
            self.heldInterval = heldInterval
            self.logInterval = logInterval
        }
    }
}
