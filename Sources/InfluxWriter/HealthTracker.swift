import Logging
import NIOConcurrencyHelpers

/// Holds the writer's current ``WriterHealth``, reports changes to the metrics hooks and logs
/// failures without flooding: once when a failure starts or changes kind, then at most once per
/// `logInterval` while it lasts, with the number of failed attempts in between.
final class HealthTracker: Sendable {
    private struct State {
        var health: WriterHealth = .healthy
        var lastLog: ContinuousClock.Instant?
        var failuresSinceLog = 0
    }

    private enum Report {
        case none
        case changed(WriterHealth, from: WriterHealth)
        case ongoing(WriterHealth, failures: Int)
    }

    private let state = NIOLockedValueBox(State())
    private let metrics: any InfluxWriterMetrics
    private let logger: Logger
    private let logInterval: Duration

    init(metrics: any InfluxWriterMetrics, logger: Logger, logInterval: Duration) {
        self.metrics = metrics
        self.logger = logger
        self.logInterval = logInterval
    }

    /// The current health.
    var health: WriterHealth {
        state.withLockedValue { $0.health }
    }

    /// Records the health implied by the latest answer (or failure).
    func update(_ health: WriterHealth, now: ContinuousClock.Instant = .now) {
        let report = state.withLockedValue { state -> Report in
            let previous = state.health
            state.health = health
            if health.isFailing {
                state.failuresSinceLog += 1
            }
            if previous.name != health.name {
                state.lastLog = now
                state.failuresSinceLog = 0
                return .changed(health, from: previous)
            }
            guard health.isFailing, let last = state.lastLog, last.duration(to: now) >= logInterval else {
                return .none
            }
            let failures = state.failuresSinceLog
            state.lastLog = now
            state.failuresSinceLog = 0
            return .ongoing(health, failures: failures)
        }
        switch report {
        case .none:
            break
        case .changed(let health, let previous):
            metrics.healthChanged(to: health)
            if health.isFailing {
                logger.warning(
                    "InfluxDB writes failing, retrying",
                    metadata: ["state": "\(health.name)", "reason": "\(health.reason)"]
                )
            } else {
                logger.info("InfluxDB writes succeed again", metadata: ["after": "\(previous.name)"])
            }
        case .ongoing(let health, let failures):
            logger.warning(
                "InfluxDB writes still failing, retrying",
                metadata: ["state": "\(health.name)", "reason": "\(health.reason)", "failedAttempts": "\(failures)"]
            )
        }
    }
}
