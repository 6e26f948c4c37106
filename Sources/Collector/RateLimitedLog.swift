import CoinfluxCore
import Logging
import Synchronization

/// Logs a recurring problem at most once per interval, with how many were suppressed meanwhile,
/// so a feed sending garbage at 10 000 frames/s cannot flood the log.
final class RateLimitedLog: Sendable {
    private struct State {
        var lastLogged: Int64 = .min
        var suppressed = 0
    }

    private let logger: Logger
    private let intervalNanoseconds: Int64
    private let state = Mutex(State())

    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.intervalNanoseconds = interval.saturatingNanoseconds
    }

    /// Logs `message` at warning level unless one was logged within the interval.
    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        let now = monotonicNanoseconds()
        let suppressed: Int? = state.withLock { state in
            guard state.lastLogged == .min || now - state.lastLogged >= intervalNanoseconds else {
                state.suppressed += 1
                return nil
            }
            defer { state.lastLogged = now; state.suppressed = 0 }
            return state.suppressed
        }
        guard let suppressed else { return }
        var fields = metadata()
        if suppressed > 0 { fields["suppressed_since_last"] = "\(suppressed)" }
        logger.warning(message(), metadata: fields)
    }

    /// At most `limit` bytes of a frame, as text with invalid UTF-8 replaced, for a log line.
    static func excerpt(_ bytes: UnsafeRawBufferPointer, limit: Int = 256) -> String {
        let shown = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return bytes.count > limit ? shown + "…(\(bytes.count) bytes)" : shown
    }
}
