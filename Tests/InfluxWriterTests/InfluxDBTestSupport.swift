import AsyncHTTPClient
import Foundation
import NIOCore

/// Test-side access to a real InfluxDB 1.x: InfluxQL over `/query`, and starting a private
/// `influxd` on free ports.
struct InfluxDBQuery {
    let url: String

    /// Runs an InfluxQL statement (POST, so it may create or drop) and returns the JSON answer.
    @discardableResult
    func run(_ statement: String, database: String? = nil) async throws -> [String: Any] {
        var query = "q=" + percentEncoded(statement)
        if let database {
            query += "&db=" + percentEncoded(database)
        }
        var request = HTTPClientRequest(url: "\(url)/query?\(query)")
        request.method = .POST
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
        guard response.status == .ok else {
            throw QueryFailed(message: "HTTP \(response.status.code): \(String(buffer: body))")
        }
        return json
    }

    /// `SELECT count(field) FROM measurement`, 0 when there is no such series.
    func count(_ field: String, in measurement: String, database: String) async throws -> Int {
        let json = try await run("SELECT count(\"\(field)\") FROM \"\(measurement)\"", database: database)
        let results = json["results"] as? [[String: Any]]
        let series = results?.first?["series"] as? [[String: Any]]
        let values = series?.first?["values"] as? [[Any]]
        return (values?.first?.last as? NSNumber)?.intValue ?? 0
    }

    /// Answers 204 to `/ping`.
    func isUp() async -> Bool {
        let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(url)/ping"), timeout: .seconds(1))
        return response?.status == .noContent
    }

    struct QueryFailed: Error {
        var message: String
    }

    private func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// A private `influxd` with its own temporary directory, for tests that stop and start a server.
final class PrivateInfluxd {
    let httpPort: Int
    let directory: URL
    private var process: Process?

    var url: String { "http://127.0.0.1:\(httpPort)" }

    /// Prepares the configuration on free ports; the server is not started yet.
    init() async throws {
        httpPort = try await freePort()
        let rpcPort = try await freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-influxd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.path
        let configuration = """
            reporting-disabled = true
            bind-address = "127.0.0.1:\(rpcPort)"
            [meta]
              dir = "\(path)/meta"
            [data]
              dir = "\(path)/data"
              wal-dir = "\(path)/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:\(httpPort)"
              log-enabled = false
            [monitor]
              store-enabled = false
            [continuous_queries]
              enabled = false
            """
        try configuration.write(to: directory.appendingPathComponent("influxdb.conf"), atomically: true, encoding: .utf8)
    }

    /// Starts `influxd` (found on PATH) and waits until it answers `/ping`.
    func start() async throws {
        let search = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        guard let binary = search.map({ "\($0)/influxd" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw InfluxDBQuery.QueryFailed(message: "influxd not found on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-config", directory.appendingPathComponent("influxdb.conf").path]
        let log = directory.appendingPathComponent("influxd.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw InfluxDBQuery.QueryFailed(message: "cannot create \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        for _ in 0..<150 {
            if await InfluxDBQuery(url: url).isUp() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw InfluxDBQuery.QueryFailed(message: "private influxd did not come up: \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
    }

    /// Stops the server and removes its directory.
    func stop() {
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A TCP port that was free a moment ago (bound to port 0, then closed).
func freePort() async throws -> Int {
    let server = try await CaptureServer.start { _, _ in .noContent }
    let port = server.port
    try await server.stop()
    return port
}
