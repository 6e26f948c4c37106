import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An `influxd` (1.x) of a test's own, on free loopback ports with a temporary data directory,
/// for tests that stop and restart the database (the shared one of `scripts/with-services.sh`
/// must stay up for the other tests). `stop()` and `start()` keep the ports and the data.
public final class InfluxDBServer: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`.
    public let url: String
    private let directory: URL
    private let configuration: URL
    private var process: Process?

    /// Writes the configuration; call ``start()`` to run the server.
    public init(httpPort: Int, rpcPort: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-influxd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configuration = directory.appendingPathComponent("influxdb.conf")
        url = "http://127.0.0.1:\(httpPort)"
        // The configuration the other test scripts use, with this server's directory and ports.
        let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/influxdb-test.conf")
        let text = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "@DIR@", with: directory.path)
            .replacingOccurrences(of: "@HTTP_PORT@", with: String(httpPort))
            .replacingOccurrences(of: "@RPC_PORT@", with: String(rpcPort))
        try text.write(to: configuration, atomically: true, encoding: .utf8)
    }

    deinit {
        process?.terminate()
        process?.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `influxd` and waits until `/ping` answers (up to 30 s).
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/influxd")
        process.arguments = ["-config", configuration.path]
        let log = directory.appendingPathComponent("influxd.log")
        if !FileManager.default.fileExists(atPath: log.path) {
            FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let ping = URL(string: url + "/ping"),
               let (_, response) = try? await URLSession.shared.data(from: ping),
               (response as? HTTPURLResponse)?.statusCode == 204 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        throw InfluxHTTP.Failure(description: "influxd did not answer /ping within 30 s: \(output.suffix(2000))")
    }

    /// Kills `influxd` (SIGKILL: no shutdown of its own) and waits for it to exit.
    public func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops `influxd` (SIGTERM) and waits for it to exit.
    public func stop() {
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }
}
