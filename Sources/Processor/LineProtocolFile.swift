#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InfluxWriter
import Logging
import Synchronization

/// Appends line protocol to a local file (created if missing), for running without InfluxDB.
/// The file can be loaded later with `influx -import` or `curl --data-binary @file`.
///
/// A write that fails (a full disk) is retried every second; the failure and the recovery are
/// each logged once, and ``health`` says why meanwhile (the processor pauses, `/readyz` fails).
public final class LineProtocolFile: PointWriter {
    /// The file's path.
    public let path: String
    private let descriptor: Int32
    private let logger: Logger

    /// Opens `path` for appending.
    /// - Throws: ``OpenError`` naming the path and the system's reason.
    public init(path: String, logger: Logger = Logger(label: "coinflux.points-file")) throws(OpenError) {
        self.path = path
        self.logger = logger
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit {
        close(descriptor)
    }

    /// The file cannot be opened.
    public struct OpenError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot open \(path) for appending: \(reason)" }
    }

    public var health: WriterHealth {
        lastError.withLock { $0.map { .unavailable($0) } ?? .healthy }
    }

    private let lastError = Mutex<String?>(nil)

    /// Appends the batch; a failed write (disk full) is retried every second, from where it
    /// stopped, until it succeeds.
    public func write(_ batch: LineBatch) async throws(CancellationError) -> WriteOutcome {
        let body = batch.body
        var written = 0
        while true {
            let failure: String? = body.withUnsafeReadableBytes { bytes in
                guard let base = bytes.baseAddress else { return nil }
                while written < bytes.count {
                    let result = appendBytes(descriptor, base + written, bytes.count - written)
                    if result < 0 {
                        if errno == EINTR { continue }
                        return String(cString: strerror(errno))
                    }
                    written += result
                }
                return nil
            }
            let previous = lastError.withLock { last in
                defer { last = failure }
                return last
            }
            if previous != failure {
                if let failure {
                    logger.error("cannot append to the line-protocol file; retrying every second", metadata: ["path": "\(path)", "error": "\(failure)"])
                } else {
                    logger.notice("appending to the line-protocol file again", metadata: ["path": "\(path)"])
                }
            }
            guard failure != nil else { return WriteOutcome(writtenLines: batch.count) }
            do { try await Task.sleep(for: .seconds(1)) } catch { throw CancellationError() }
        }
    }
}

/// `write(2)`, under a name that does not clash with ``LineProtocolFile/write(_:)``.
private func appendBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
