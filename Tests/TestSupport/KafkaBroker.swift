import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Kafka-protocol broker (noida-db) of a test's own, on a free loopback port with a temporary
/// data directory, for tests that kill and restart it (the shared one of
/// `scripts/with-services.sh` must stay up for the other tests). `noida-db start` is a launcher
/// whose child is the server, so it runs in a session of its own (`setsid`) and is signalled as
/// a process group. ``kill()`` and ``start()`` keep the port and the data directory.
public final class KafkaBroker: @unchecked Sendable {
    /// `127.0.0.1:PORT`.
    public let address: String
    private let port: Int
    private let directory: URL
    private var group: pid_t?

    public init() throws {
        port = try freeLoopbackPort()
        address = "127.0.0.1:\(port)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
    }

    deinit {
        signal(SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts the broker on the same port and data directory and waits until it answers a
    /// connection (up to 30 s).
    public func start() async throws {
        let log = directory.appendingPathComponent("noida-db.log")
        // In the background of a shell the launcher is no group leader, so setsid runs it in
        // place: the pid the shell prints is the new session's (and process group's) id.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "setsid noida-db start --only kafka --kafka-port \(port) --data-dir '\(directory.path)/data' >>'\(log.path)' 2>&1 & echo $!"]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        // Not waitUntilExit: for a child that exits at once Foundation can miss the exit and wait forever.
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard let pid = pid_t(printed.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BrokerFailure(description: "could not start noida-db: \(printed)")
        }
        group = pid
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if acceptsConnections(port: port) {
                try await Task.sleep(for: .milliseconds(500))  // the listener is up; let the broker finish starting
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let written = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        throw BrokerFailure(description: "noida-db did not answer on \(address) within 30 s: \(written.suffix(2000))")
    }

    /// SIGKILL to the broker's whole process group: no flush, no clean shutdown. Waits (up to
    /// 5 s) until the group is gone.
    public func kill() {
        signal(SIGKILL)
    }

    /// SIGSTOP to the process group: the broker keeps its connections and its data but answers
    /// nothing, like a hung or partitioned broker. ``resume()`` lets it go on.
    public func suspend() {
        if let group { Glibc.kill(-group, SIGSTOP) }
    }

    /// SIGCONT to the process group after ``suspend()``.
    public func resume() {
        if let group { Glibc.kill(-group, SIGCONT) }
    }

    /// SIGTERM to the process group, then SIGKILL after 5 s.
    public func stop() {
        signal(SIGTERM)
    }

    private func signal(_ number: Int32) {
        guard let group else { return }
        Glibc.kill(-group, number)
        let deadline = ContinuousClock.now + .seconds(5)
        while Glibc.kill(-group, 0) == 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if Glibc.kill(-group, 0) == 0 { Glibc.kill(-group, SIGKILL) }
        self.group = nil
    }

    /// The broker did not come up.
    public struct BrokerFailure: Error, CustomStringConvertible {
        public var description: String
    }
}
