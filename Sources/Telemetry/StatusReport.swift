import CoinfluxCore
import Logging
import ServiceLifecycle
import Synchronization

/// One line of health at info level every `interval`, so `docker compose logs` shows at a glance
/// what `/metrics` says: each part of the process registers a source that describes itself
/// (`binance: connected 1/1, 42.0 events/s`, `processor: 1 200 points/s, lag 0.8 s`).
public final class StatusReport: Service {
    /// Describes one part for the last interval; nil leaves it out of this line.
    public typealias Source = @Sendable (_ interval: Duration) -> String?

    public let interval: Duration
    private let logger: Logger
    private let sources = Mutex<[(name: String, describe: Source)]>([])

    /// - Parameter interval: time between two lines; zero turns the report off.
    public init(interval: Duration, logger: Logger) {
        self.interval = interval
        self.logger = logger
    }

    /// Adds a part under `name`.
    public func register(_ name: String, _ describe: @escaping Source) {
        sources.withLock { $0.append((name, describe)) }
    }

    /// The current line's parts, by name.
    public func describe() -> [(name: String, text: String)] {
        sources.withLock { $0 }.compactMap { source in source.describe(interval).map { (source.name, $0) } }
    }

    public func run() async throws {
        guard interval > .zero else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                if Task.isCancelled { return }
                self.log()
            }
        }
    }

    private func log() {
        let parts = describe()
        guard !parts.isEmpty else { return }
        let line = parts.map { "\($0.name): \($0.text)" }.joined(separator: "; ")
        logger.info("status: \(line)")
    }
}

/// A count that a status source turns into a rate: the difference since the last time it was read.
public final class RateCounter: Sendable {
    private let total = Atomic<Int>(0)
    private let lastRead = Atomic<Int>(0)

    public init() {}

    public func add(_ count: Int) {
        total.add(count, ordering: .relaxed)
    }

    /// Per second over `interval`, since the previous call.
    public func rate(over interval: Duration) -> Double {
        let now = total.load(ordering: .relaxed)
        let before = lastRead.exchange(now, ordering: .relaxed)
        let seconds = interval.inSeconds
        return seconds > 0 ? Double(now - before) / seconds : 0
    }
}
