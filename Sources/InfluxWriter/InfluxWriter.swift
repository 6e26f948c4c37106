import AsyncHTTPClient
import CoinfluxCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Writes line-protocol batches to InfluxDB over HTTP (v1 or v2 API), never losing a line.
///
/// ``write(_:)`` returns only when every line of the batch is either acknowledged by the server
/// (2xx) or rejected as bad with InfluxDB's reason; transient failures are retried until they
/// succeed or the task is cancelled (see ``RetryPolicy`` for the rules). Batches larger than the
/// configured request limits go out as several requests, up to `connections` at a time, over a
/// keep-alive connection pool.
///
/// As a `Service` it owns its connection pool for the life of the process: ``run()`` waits for
/// graceful shutdown (list it before the services that write, so it stops after them) and then
/// shuts the pool down, on every path out. Elsewhere call ``shutdown()`` when done
/// (AsyncHTTPClient requires it), or use ``withWriter(configuration:metrics:logger:_:)``.
public final class InfluxWriter: Service {
    /// The configuration in use.
    public let configuration: InfluxWriterConfiguration

    private let client: HTTPClient
    let transport: HTTPTransport
    private let delivery: Delivery<HTTPTransport>
    private let tracker: HealthTracker

    /// Creates a writer and its connection pool (connections open on first use).
    /// - Parameters:
    ///   - configuration: Server, API, limits and backoff.
    ///   - metrics: Hooks for request, retry, line and health reports.
    ///   - logger: Where failures are logged (rate-limited, never with credentials).
    /// - Throws: ``InfluxWriterConfiguration/ValidationError`` for an unusable configuration.
    public init(
        configuration: InfluxWriterConfiguration,
        metrics: any InfluxWriterMetrics = NoInfluxWriterMetrics(),
        logger: Logger = Logger(label: "coinflux.influx-writer")
    ) throws(InfluxWriterConfiguration.ValidationError) {
        let endpoint = try WriteEndpoint(configuration)
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(configuration.timeouts.connect.saturatingNanoseconds),
                read: .nanoseconds(configuration.timeouts.request.saturatingNanoseconds)
            ),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connections
            )
        )
        clientConfiguration.httpVersion = .http1Only
        if let file = configuration.trustedCertificatesFile {
            var tls = TLSConfiguration.makeClientConfiguration()  // full verification, against the file's authorities
            tls.trustRoots = .file(file)
            clientConfiguration.tlsConfiguration = tls
        }
        // Fail a request at once when the server refuses connections, so the writer's own backoff,
        // health and metrics apply instead of AHC retrying silently until the connect timeout.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        let tracker = HealthTracker(metrics: metrics, logger: logger, logInterval: configuration.retry.logInterval)
        self.configuration = configuration
        self.client = client
        self.tracker = tracker
        let transport = HTTPTransport(
            client: client,
            endpoint: endpoint,
            gzipLevel: configuration.gzip ? configuration.gzipLevel : nil,
            timeout: .nanoseconds(configuration.timeouts.request.saturatingNanoseconds)
        )
        self.transport = transport
        self.delivery = Delivery(
            transport: transport,
            policy: RetryPolicy(retry: configuration.retry),
            health: tracker,
            metrics: metrics
        )
        logger.info("InfluxDB writer configured", metadata: ["configuration": "\(configuration)"])
    }

    /// Runs `body` with a new writer and shuts the writer down afterwards, whatever happens.
    public static func withWriter<Result: Sendable>(
        configuration: InfluxWriterConfiguration,
        metrics: any InfluxWriterMetrics = NoInfluxWriterMetrics(),
        logger: Logger = Logger(label: "coinflux.influx-writer"),
        _ body: (InfluxWriter) async throws -> Result
    ) async throws -> Result {
        let writer = try InfluxWriter(configuration: configuration, metrics: metrics, logger: logger)
        let result: Result
        do {
            result = try await body(writer)
        } catch {
            try? await writer.shutdown()
            throw error
        }
        try await writer.shutdown()
        return result
    }

    /// Whether writes currently get through: `.healthy`, or why requests are being retried.
    /// Use it for `/readyz` and to pause intake.
    public var health: WriterHealth {
        tracker.health
    }

    /// Writes `batch` and returns when every line is written or rejected.
    ///
    /// Transient failures (unreachable server, timeouts, 429, 5xx) and refused credentials are
    /// retried without end; only cancellation stops it.
    /// - Returns: How many lines were written and which were rejected, with InfluxDB's reasons.
    /// - Throws: `CancellationError` if the task is cancelled or the writer is shut down; then
    ///   nothing is claimed written (some requests may have succeeded: writing the batch again is
    ///   harmless, as InfluxDB overwrites a point with the same series and timestamp).
    public func write(_ batch: LineBatch) async throws(CancellationError) -> WriteOutcome {
        let chunks = batch.chunks(maxLines: configuration.maxLinesPerRequest, maxBytes: configuration.maxBytesPerRequest)
        if chunks.count <= 1 {
            guard let only = chunks.first else { return WriteOutcome() }
            return try await delivery.deliver(only)
        }
        let delivery = self.delivery
        let parallel = configuration.connections
        let outcomes = await withTaskGroup(of: (Int, WriteOutcome?).self) { group in
            var outcomes = [WriteOutcome?](repeating: nil, count: chunks.count)
            var next = 0
            var stopped = false
            func startNext() {
                let index = next
                let chunk = chunks[index]
                next += 1
                group.addTask { (index, try? await delivery.deliver(chunk)) }
            }
            while next < min(parallel, chunks.count) {
                startNext()
            }
            for await (index, outcome) in group {
                guard let outcome else {
                    stopped = true
                    group.cancelAll()
                    continue
                }
                outcomes[index] = outcome
                if next < chunks.count, !stopped, !Task.isCancelled {
                    startNext()
                }
            }
            return outcomes
        }
        var total = WriteOutcome()
        for outcome in outcomes {
            guard let outcome else { throw CancellationError() }
            total.merge(outcome)
        }
        if Task.isCancelled {
            throw CancellationError()
        }
        return total
    }

    /// Closes the connection pool. Writes still in flight, and any later ones, throw
    /// `CancellationError`; call it after the last write.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Keeps the connection pool until graceful shutdown (or cancellation), then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }
}
