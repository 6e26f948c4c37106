import Logging
import NIOConcurrencyHelpers
import Testing

@testable import InfluxWriter

@Suite("Health tracking and rate-limited logging")
struct HealthTrackerTests {
    @Test("a failure is logged when it starts, then at most once per interval, and its end once")
    func rateLimited() {
        let lines = NIOLockedValueBox<[String]>([])
        let metrics = RecordingMetrics()
        let tracker = HealthTracker(metrics: metrics, logger: capturingLogger(lines), logInterval: .seconds(60))
        let t0 = ContinuousClock.now
        tracker.update(.healthy, now: t0)
        #expect(lines.withLockedValue { $0 }.isEmpty)
        for second in 0..<130 {
            tracker.update(.unauthorized("HTTP 401: authorization failed"), now: t0 + .seconds(second))
        }
        #expect(tracker.health == .unauthorized("HTTP 401: authorization failed"))
        tracker.update(.healthy, now: t0 + .seconds(131))
        let logged = lines.withLockedValue { $0 }
        #expect(logged.count == 4)
        #expect(logged[0].hasPrefix("warning InfluxDB writes failing"))
        #expect(logged[1].hasPrefix("warning InfluxDB writes still failing") && logged[1].contains("failedAttempts=60"))
        #expect(logged[2].hasPrefix("warning InfluxDB writes still failing") && logged[2].contains("failedAttempts=60"))
        #expect(logged[3].hasPrefix("info InfluxDB writes succeed again"))
        #expect(metrics.recorded.healthChanges == [.unauthorized("HTTP 401: authorization failed"), .healthy])
    }

    @Test("a change of failure kind is reported and logged at once")
    func kindChange() {
        let lines = NIOLockedValueBox<[String]>([])
        let metrics = RecordingMetrics()
        let tracker = HealthTracker(metrics: metrics, logger: capturingLogger(lines), logInterval: .seconds(60))
        let t0 = ContinuousClock.now
        tracker.update(.unavailable("timeout"), now: t0)
        tracker.update(.unavailable("HTTP 503"), now: t0 + .seconds(1))
        tracker.update(.misconfigured("HTTP 404: database not found"), now: t0 + .seconds(2))
        #expect(metrics.recorded.healthChanges.map(\.name) == ["unavailable", "misconfigured"])
        #expect(lines.withLockedValue { $0 }.count == 2)
    }
}
