import Logging
import NIOConcurrencyHelpers
import TestSupport

@testable import InfluxWriter

/// Metrics hooks that remember every report.
final class RecordingMetrics: InfluxWriterMetrics {
    struct Recorded {
        var requests: [RequestReport] = []
        var retries: [(Duration, WriterHealth)] = []
        var written = 0
        var rejected = 0
        var healthChanges: [WriterHealth] = []
    }

    private let box = NIOLockedValueBox(Recorded())

    var recorded: Recorded { box.withLockedValue { $0 } }

    func requestFinished(_ report: RequestReport) { box.withLockedValue { $0.requests.append(report) } }
    func retryScheduled(after delay: Duration, health: WriterHealth) {
        box.withLockedValue { $0.retries.append((delay, health)) }
    }
    func linesWritten(_ count: Int) { box.withLockedValue { $0.written += count } }
    func linesRejected(_ count: Int) { box.withLockedValue { $0.rejected += count } }
    func healthChanged(to health: WriterHealth) { box.withLockedValue { $0.healthChanges.append(health) } }
}

/// A log handler that keeps every rendered message with its metadata.
struct CapturingLogHandler: LogHandler {
    let lines: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLockedValue { $0.append("\(event.level) \(event.message) \(rendered)") }
    }
}

/// A logger writing into `lines`.
func capturingLogger(_ lines: NIOLockedValueBox<[String]>) -> Logger {
    Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
}

/// Backoff small enough for tests.
let fastRetry = InfluxWriterConfiguration.Retry(
    initialBackoff: .milliseconds(5),
    maxBackoff: .seconds(5),
    jitter: 1,
    heldInterval: .milliseconds(100),
    logInterval: .seconds(60)
)

/// `count` distinct lines `m,tag=t<i%7> value=<i>i,other=<i>.5 <1_000_000_000 + i>`.
func sampleLines(_ count: Int, measurement: String = "m") -> [String] {
    (0..<count).map { "\(measurement),tag=t\($0 % 7) value=\($0)i,other=\($0).5 \(1_000_000_000 + $0)" }
}
