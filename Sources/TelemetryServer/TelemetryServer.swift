import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Telemetry

/// The HTTP endpoint every coinflux process serves:
/// - `GET /metrics` — Prometheus text format: the catalogue's metrics, process metrics, build info;
/// - `GET /healthz` — 200 while the process is alive;
/// - `GET /readyz` — 200 when every readiness check passes, else 503 with a JSON body naming what is not ready.
///
/// ``checkAddress()`` binds the address once at startup, so a port already in use or an address
/// that is not this host's is reported before anything else starts; `run()` fails the same way
/// should the port be taken in between.
public struct TelemetryServer: Service {
    let host: String
    let port: Int
    let metrics: Metrics
    let readiness: Readiness
    let version: String
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - listen: `host:port`; port 0 picks a free port (reported through `onListening`).
    ///   - onListening: called with the bound port once the server accepts connections.
    public init(listen: String, metrics: Metrics, readiness: Readiness, version: String, logger: Logger,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws(TelemetryServerError) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw TelemetryServerError(reason: "listen address \"\(listen)\" is not host:port")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
        self.metrics = metrics
        self.readiness = readiness
        self.version = version
        self.logger = logger
        self.onListening = onListening
    }

    /// Binds the listen address and releases it: fails with the reason when the server could not
    /// listen there (port in use, an address of another host, no permission).
    public func checkAddress() async throws(TelemetryServerError) {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port)
                .get()
            try await channel.close()
        } catch {
            throw TelemetryServerError(reason: "cannot listen on \(host):\(port): \(Self.describe(error))")
        }
    }

    /// `Address already in use (errno 98)` rather than NIO's full error dump.
    private static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(io.description)" }
        return "\(error)"
    }

    public func run() async throws {
        let router = Router()
        let metrics = self.metrics, readiness = self.readiness, version = self.version
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(64 * 1024)
            metrics.render(into: &buffer)
            ProcessMetrics.renderBuildInfo(version: version, into: &buffer)
            ProcessMetrics.current()?.render(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"alive\":true}")))
        }
        router.get("readyz") { _, _ -> Response in
            let problems = readiness.notReady()
            return Response(
                status: problems.isEmpty ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: Readiness.body(for: problems))))
        }
        let onListening = self.onListening, logger = self.logger
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "coinflux"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                logger.info("telemetry endpoint listening", metadata: ["port": "\(bound)"])
                await onListening(bound)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch let error as IOError {
            throw TelemetryServerError(reason: "cannot listen on \(host):\(port): \(Self.describe(error))")
        }
    }
}

/// The telemetry endpoint could not start (bad address, port in use).
public struct TelemetryServerError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
