import CoinfluxCore
import Testing
import TestSupport

@testable import InfluxWriter

@Suite("Retry policy")
struct RetryPolicyTests {
    /// 1994-11-06 08:49:37 UTC, the RFC's example date.
    static let now = 784_111_777.0
    let policy = RetryPolicy(
        retry: .init(initialBackoff: .milliseconds(100), maxBackoff: .seconds(30), heldInterval: .seconds(20))
    )

    func action(_ result: AttemptResult, lines: Int = 10, failures: Int = 1) -> RetryAction {
        var generator = SplitMix64(seed: 42)
        return policy.action(after: result, lineCount: lines, failures: failures, now: Self.now, using: &generator)
    }

    static func response(_ status: Int, retryAfter: String? = nil, _ message: String = "") -> AttemptResult {
        .response(status: status, retryAfter: retryAfter, message: message)
    }

    @Test("2xx is done", arguments: [200, 201, 204])
    func success(status: Int) {
        #expect(action(Self.response(status)) == .done)
        #expect(action(Self.response(status), lines: 1) == .done)
    }

    @Test("400 and 422 split a batch and reject a single line with InfluxDB's text", arguments: [400, 422])
    func badLines(status: Int) {
        let message = "unable to parse 'm value=': missing field value"
        #expect(action(Self.response(status, message)) == .split)
        #expect(action(Self.response(status, message), lines: 2) == .split)
        #expect(action(Self.response(status, message), lines: 1) == .reject(status: status, reason: message))
        #expect(action(Self.response(status), lines: 1) == .reject(status: status, reason: "HTTP \(status)"))
    }

    @Test("InfluxDB 1.x partial write is bisected like any 400")
    func partialWrite() {
        let message = "partial write: field type conflict: input field \"value\" on measurement \"m\" is type integer, already exists as type float dropped=1"
        #expect(action(Self.response(400, message)) == .split)
        #expect(action(Self.response(400, message), lines: 1) == .reject(status: 400, reason: message))
    }

    @Test("400 naming a missing database or retention policy is held, not blamed on the lines")
    func missingTarget() {
        for message in ["retention policy not found: weekly", "database not found: \"x\"", "database is required"] {
            #expect(
                action(Self.response(400, message), lines: 1)
                    == .retry(after: .seconds(20), health: .misconfigured("HTTP 400: \(message)"))
            )
        }
        // The same words quoted inside a parse error are the line's problem.
        let quoted = "unable to parse 'database not found x=1': invalid number"
        #expect(action(Self.response(400, quoted), lines: 1) == .reject(status: 400, reason: quoted))
    }

    @Test("401 and 403 are held: retried every heldInterval in a distinct state", arguments: [401, 403])
    func unauthorized(status: Int) {
        let expected = RetryAction.retry(after: .seconds(20), health: .unauthorized("HTTP \(status): authorization failed"))
        #expect(action(Self.response(status, "authorization failed")) == expected)
        #expect(action(Self.response(status, "authorization failed"), lines: 1, failures: 50) == expected)
    }

    @Test("413 splits, and rejects a single line that alone is too large")
    func tooLarge() {
        #expect(action(Self.response(413, "Request Entity Too Large")) == .split)
        #expect(
            action(Self.response(413, "Request Entity Too Large"), lines: 1)
                == .reject(status: 413, reason: "HTTP 413: Request Entity Too Large")
        )
    }

    @Test("404, 3xx and other unexpected statuses are held as misconfiguration", arguments: [301, 404, 405, 418])
    func unexpected(status: Int) {
        #expect(action(Self.response(status)) == .retry(after: .seconds(20), health: .misconfigured("HTTP \(status)")))
    }

    @Test("5xx, 408 and 429 retry with backoff below the exponential bound", arguments: [408, 429, 500, 502, 503, 504])
    func transientStatus(status: Int) throws {
        for failures in 1...12 {
            guard case .retry(let delay, let health) = action(Self.response(status), failures: failures) else {
                Issue.record("not a retry")
                return
            }
            #expect(health == .unavailable("HTTP \(status)"))
            #expect(delay >= .zero)
            #expect(delay <= min(.seconds(30), .milliseconds(100) * (1 << (failures - 1))))
        }
    }

    @Test("timeouts and connection errors retry with backoff")
    func transportFailures() {
        guard case .retry(let delay, let health) = action(.timeout) else {
            Issue.record("timeout not retried")
            return
        }
        #expect(health == .unavailable("timeout"))
        #expect(delay <= .milliseconds(100))
        guard case .retry(let refusedDelay, let refused) = action(.connectionFailed("connection refused"), failures: 3) else {
            Issue.record("connection error not retried")
            return
        }
        #expect(refused == .unavailable("connection failed: connection refused"))
        #expect(refusedDelay <= .milliseconds(400))
    }

    @Test("429 honours Retry-After in seconds")
    func retryAfterSeconds() {
        #expect(action(Self.response(429, retryAfter: "5")) == .retry(after: .seconds(5), health: .unavailable("HTTP 429")))
        #expect(action(Self.response(503, retryAfter: "1")) == .retry(after: .seconds(1), health: .unavailable("HTTP 503")))
    }

    @Test("429 honours Retry-After as an HTTP-date")
    func retryAfterDate() {
        #expect(
            action(Self.response(429, retryAfter: "Sun, 06 Nov 1994 08:49:49 GMT"))
                == .retry(after: .seconds(12), health: .unavailable("HTTP 429"))
        )
    }

    @Test("Retry-After is still capped at maxBackoff")
    func retryAfterCapped() {
        #expect(action(Self.response(429, retryAfter: "3600")) == .retry(after: .seconds(30), health: .unavailable("HTTP 429")))
        #expect(
            action(Self.response(503, retryAfter: "Mon, 07 Nov 1994 08:49:37 GMT"))
                == .retry(after: .seconds(30), health: .unavailable("HTTP 503"))
        )
    }

    @Test("a shorter or malformed Retry-After does not shorten the backoff below its own value")
    func retryAfterBelowBackoff() {
        // After 20 failures the exponential bound is the cap; the jittered delay is far above 0 s.
        let plain = action(Self.response(503), failures: 20)
        #expect(action(Self.response(503, retryAfter: "0"), failures: 20) == plain)
        #expect(action(Self.response(503, retryAfter: "soon"), failures: 20) == plain)
    }
}
