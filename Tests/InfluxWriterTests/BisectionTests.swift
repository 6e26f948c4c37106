import CoinfluxCore
import Logging
import NIOConcurrencyHelpers
import Testing
import TestSupport

@testable import InfluxWriter

/// An in-memory stand-in for InfluxDB behind ``WriteTransport``. Lines containing `BAD` are
/// refused. Like InfluxDB 1.x, a request with bad lines stores its good lines and answers
/// `400 partial write` (when several lines) — so bisection re-sends good lines, which must
/// still be counted once. Requests of more than `maxLines` lines get 413.
final class FakeInflux: WriteTransport {
    struct State {
        var stored: [String: Int] = [:]
        var acknowledged: [String] = []
        var requests = 0
        var transientFailuresLeft = 0
    }

    let state = NIOLockedValueBox(State())
    let maxLines: Int

    init(maxLines: Int = .max, transientFailures: Int = 0) {
        self.maxLines = maxLines
        state.withLockedValue { $0.transientFailuresLeft = transientFailures }
    }

    func send(_ lines: LineBatch) async throws(CancellationError) -> (result: AttemptResult, bodyBytes: Int) {
        let texts = lines.indices.map { String(decoding: lines.line(at: $0), as: UTF8.self) }
        let result = state.withLockedValue { state -> AttemptResult in
            state.requests += 1
            if state.transientFailuresLeft > 0 {
                state.transientFailuresLeft -= 1
                return .response(status: 503, retryAfter: nil, message: "overloaded")
            }
            if texts.count > maxLines {
                return .response(status: 413, retryAfter: nil, message: "Request Entity Too Large")
            }
            let bad = texts.filter { $0.contains("BAD") }
            for line in texts where !line.contains("BAD") {
                state.stored[line, default: 0] += 1
            }
            if bad.isEmpty {
                state.acknowledged += texts
                return .response(status: 204, retryAfter: nil, message: "")
            }
            if texts.count == 1 {
                return .response(status: 400, retryAfter: nil, message: "unable to parse '\(bad[0])': invalid field format")
            }
            return .response(status: 400, retryAfter: nil, message: "partial write: unable to parse '\(bad[0])' dropped=\(bad.count)")
        }
        return (result, lines.byteCount)
    }
}

func makeDelivery(_ transport: FakeInflux, metrics: RecordingMetrics = RecordingMetrics()) -> Delivery<FakeInflux> {
    Delivery(
        transport: transport,
        policy: RetryPolicy(retry: fastRetry),
        health: HealthTracker(metrics: metrics, logger: Logger(label: "test"), logInterval: .seconds(60)),
        metrics: metrics
    )
}

@Suite("Bisection and delivery (fake server)")
struct BisectionTests {
    /// Batch sizes and bad-line positions, including none, first, last, adjacent, all, and random.
    static var cases: [(Int, Set<Int>)] {
        var generator = SplitMix64(seed: 2024)
        var cases: [(Int, Set<Int>)] = [(1, []), (1, [0]), (2, [1]), (2, [0, 1]), (3, [1]), (7, [0, 6]), (8, Set(0..<8))]
        for size in [5, 64, 100, 1000, 5000] {
            cases.append((size, []))
            cases.append((size, [0]))
            cases.append((size, [size - 1]))
            cases.append((size, [size / 2, size / 2 + 1]))
            for count in [1, 3, 5] {
                var bad = Set<Int>()
                while bad.count < min(count, size) {
                    bad.insert(Int.random(in: 0..<size, using: &generator))
                }
                cases.append((size, bad))
            }
        }
        return cases
    }

    @Test("bisection isolates exactly the bad lines and counts every good line once", arguments: cases)
    func isolates(size: Int, bad: Set<Int>) async throws {
        let lines = sampleLines(size).enumerated().map { bad.contains($0.offset) ? "BAD " + $0.element : $0.element }
        let fake = FakeInflux()
        let metrics = RecordingMetrics()
        let outcome = try await makeDelivery(fake, metrics: metrics).deliver(LineBatch(lines: lines))

        #expect(outcome.rejected.map(\.index) == bad.sorted())
        #expect(outcome.rejected.map { String(decoding: $0.line, as: UTF8.self) } == bad.sorted().map { lines[$0] })
        #expect(outcome.rejected.allSatisfy { $0.status == 400 && $0.reason.hasPrefix("unable to parse 'BAD") })
        #expect(outcome.writtenLines == size - bad.count)
        #expect(metrics.recorded.written == size - bad.count)
        #expect(metrics.recorded.rejected == bad.count)

        let state = fake.state.withLockedValue { $0 }
        let good = Set(lines.indices.filter { !bad.contains($0) }.map { lines[$0] })
        #expect(Set(state.stored.keys) == good)
        #expect(state.acknowledged.count == good.count)
        #expect(Set(state.acknowledged) == good)
        // k bad lines cost at most about 2·k·log2(n) extra requests.
        let depth = (Int.bitWidth - (size - 1).leadingZeroBitCount) + 1  // ⌈log2 n⌉ + 1
        #expect(state.requests <= 1 + 2 * max(bad.count, 1) * depth)
    }

    @Test("413 splits until the requests fit; their union is the batch", arguments: [2, 3, 10, 333])
    func splitsOnTooLarge(maxLines: Int) async throws {
        let lines = sampleLines(1000)
        let fake = FakeInflux(maxLines: maxLines)
        let outcome = try await makeDelivery(fake).deliver(LineBatch(lines: lines))
        #expect(outcome == WriteOutcome(writtenLines: 1000))
        let state = fake.state.withLockedValue { $0 }
        #expect(state.acknowledged == lines)
        #expect(state.stored.values.allSatisfy { $0 == 1 })
    }

    @Test("a single line that alone is too large is rejected with 413")
    func singleLineTooLarge() async throws {
        let outcome = try await makeDelivery(FakeInflux(maxLines: 0)).deliver(LineBatch(lines: ["a x=1", "b x=2"]))
        #expect(outcome.writtenLines == 0)
        #expect(outcome.rejected.map(\.status) == [413, 413])
        #expect(outcome.rejected.map(\.index) == [0, 1])
    }

    @Test("transient failures are retried, reported, and the writer ends healthy")
    func transient() async throws {
        let fake = FakeInflux(transientFailures: 3)
        let metrics = RecordingMetrics()
        let delivery = makeDelivery(fake, metrics: metrics)
        let outcome = try await delivery.deliver(LineBatch(lines: sampleLines(10)))
        #expect(outcome == WriteOutcome(writtenLines: 10))
        let recorded = metrics.recorded
        #expect(recorded.retries.count == 3)
        #expect(recorded.retries.allSatisfy { $0.1 == .unavailable("HTTP 503: overloaded") })
        #expect(recorded.requests.map(\.result.label) == ["503", "503", "503", "204"])
        #expect(recorded.healthChanges == [.unavailable("HTTP 503: overloaded"), .healthy])
        #expect(delivery.health.health == .healthy)
    }

    @Test("cancellation ends the retries with CancellationError")
    func cancellation() async throws {
        let fake = FakeInflux(transientFailures: .max)
        let delivery = makeDelivery(fake)
        let task = Task { try await delivery.deliver(LineBatch(lines: sampleLines(3))) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(fake.state.withLockedValue { $0.acknowledged.isEmpty })
    }
}
