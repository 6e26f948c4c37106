import CoinfluxCore
import Logging
import ServiceLifecycle
import Synchronization

/// Watches something a process depends on (InfluxDB, the Kafka brokers) through a probe: reports
/// it on `/readyz` under its name while it is not usable, and logs each change of state once
/// (not every attempt).
///
/// At start, ``waitUntilAvailable()`` (or the first phase of ``run()``) tolerates an
/// ``DependencyState/unavailable(_:)`` dependency without limit and a
/// ``DependencyState/misconfigured(_:)`` one for `grace`; past that it fails with a
/// ``DependencyFailure`` naming the settings to check, which ends the process with status 1.
/// Once it has been available, every later failure is only reported.
public final class DependencyWatch: Service {
    /// What is watched, for logs and `/readyz`: `influxdb`, `kafka`.
    public let name: String
    /// The configuration keys that point at it, named in messages: `influxdb.url, influxdb.token`.
    public let settings: String
    private let grace: Duration
    private let interval: Duration
    private let probe: @Sendable () async -> DependencyState
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var current: DependencyState?
    }

    /// - Parameters:
    ///   - grace: How long a misconfigured dependency is waited for at start.
    ///   - interval: Time between two probes.
    ///   - readiness: Gets a check under `name`, failing while the dependency is not usable.
    ///   - probe: One check; must return within a few seconds.
    public init(name: String, settings: String, grace: Duration, interval: Duration = .seconds(2), readiness: Readiness,
                logger: Logger, probe: @escaping @Sendable () async -> DependencyState) {
        self.name = name
        self.settings = settings
        self.grace = grace
        self.interval = interval
        self.probe = probe
        self.logger = logger
        readiness.register(name) { [self] in notReadyReason }
    }

    /// Why the dependency is not usable, or nil when it is.
    public var notReadyReason: String? {
        switch state.withLock({ $0.current }) {
        case nil: "not checked yet"
        case .available: nil
        case .unavailable(let reason), .misconfigured(let reason): reason
        }
    }

    /// Probes until the dependency is available.
    /// - Returns: true once available; false when the task was cancelled first.
    /// - Throws: ``DependencyFailure`` when it stayed misconfigured for `grace` without ever being available.
    public func waitUntilAvailable() async throws(DependencyFailure) -> Bool {
        let start = ContinuousClock.now
        while !Task.isCancelled {
            let observed = await probe()
            record(observed)
            switch observed {
            case .available:
                return true
            case .misconfigured(let reason) where start.duration(to: .now) >= grace:
                throw DependencyFailure(name: name, settings: settings, reason: reason, grace: grace)
            case .unavailable, .misconfigured:
                try? await Task.sleep(for: interval)
            }
        }
        return false
    }

    /// Waits for the dependency as ``waitUntilAvailable()`` does, then keeps watching it (every
    /// `interval`, reporting changes) until graceful shutdown.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            guard try await self.waitUntilAvailable() else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                if Task.isCancelled { return }
                self.record(await self.probe())
            }
        }
    }

    /// Stores `observed` and logs it if it differs from the last state.
    private func record(_ observed: DependencyState) {
        let previous: DependencyState?? = state.withLock { state in
            guard state.current != observed else { return .none }
            defer { state.current = observed }
            return .some(state.current)
        }
        guard let previous else { return }
        switch observed {
        case .available where previous == nil:
            logger.info("\(name) available")
        case .available:
            logger.notice("\(name) available again")
        case .unavailable(let reason):
            logger.warning("\(name) not available; waiting", metadata: ["reason": "\(reason)", "settings": "\(settings)"])
        case .misconfigured(let reason):
            logger.error("\(name) cannot be used as configured; check the settings", metadata: ["reason": "\(reason)", "settings": "\(settings)"])
        }
    }
}

/// A dependency stayed misconfigured at start for longer than its grace period.
public struct DependencyFailure: Error, CustomStringConvertible {
    public var name: String
    public var settings: String
    public var reason: String
    public var grace: Duration

    public var description: String {
        "\(name) is not usable (check \(settings)): \(reason); gave up after \(grace.seconds) s (startup.grace)"
    }
}

extension Duration {
    /// Whole seconds, rounded down.
    fileprivate var seconds: Int64 { components.seconds }
}
