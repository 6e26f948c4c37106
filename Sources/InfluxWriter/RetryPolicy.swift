import CoinfluxCore

/// Maps the result of one write request to what the writer does next. Pure: no I/O, randomness
/// and the current time come in as arguments.
///
/// | result | action |
/// |---|---|
/// | 2xx | ``RetryAction/done`` |
/// | 408, 429, 5xx, timeout, connection error | retry with capped exponential backoff and jitter, at least `Retry-After` (seconds or HTTP-date) but never more than `maxBackoff` — ``WriterHealth/unavailable(_:)`` |
/// | 413 | split the batch in halves; a single line is rejected (it can never fit) |
/// | 400, 422 | bad lines: bisect (split in halves, recursively); a single line is rejected with InfluxDB's message |
/// | 400 naming a missing database or retention policy | retry every `heldInterval` — ``WriterHealth/misconfigured(_:)`` |
/// | 401, 403 | retry every `heldInterval` — ``WriterHealth/unauthorized(_:)`` |
/// | 404, 1xx, 3xx, any other status | retry every `heldInterval` — ``WriterHealth/misconfigured(_:)`` |
///
/// 401/403 are held rather than failed: a rotated or mistyped token is an operator's problem to
/// fix, and dropping (or dead-lettering) good points meanwhile would lose data. The writer keeps
/// the lines, retries slowly, reports ``WriterHealth/unauthorized(_:)`` (so the processor pauses
/// intake and `/readyz` fails) and logs it once per `logInterval`.
///
/// InfluxDB 1.x answers a batch with some bad points with `400 partial write: …` after storing the
/// good ones. The policy treats it like any 400: bisection re-sends the halves, so the good lines
/// are written again — harmless, since a point with the same series and timestamp overwrites
/// itself with the same values — and each line is counted exactly once, when its own final
/// request ends (2xx: written; a single-line 400/422: rejected).
public struct RetryPolicy: Sendable {
    /// Backoff settings.
    public var retry: InfluxWriterConfiguration.Retry

    /// A policy with the given backoff settings.
    public init(retry: InfluxWriterConfiguration.Retry) {
        self.retry = retry
    }

    /// The next step after `result`.
    /// - Parameters:
    ///   - result: What the request produced.
    ///   - lineCount: Lines in the request (decides between splitting and rejecting).
    ///   - failures: Consecutive transient failures of this request so far, this one included.
    ///   - now: Seconds since 1970, to resolve a `Retry-After` HTTP-date.
    ///   - generator: Source of the jitter.
    public func action(
        after result: AttemptResult,
        lineCount: Int,
        failures: Int,
        now: Double,
        using generator: inout some RandomNumberGenerator
    ) -> RetryAction {
        switch result {
        case .timeout:
            return .retry(after: backoff(failures, retryAfter: nil, now: now, &generator), health: .unavailable("timeout"))
        case .connectionFailed(let reason):
            return .retry(
                after: backoff(failures, retryAfter: nil, now: now, &generator),
                health: .unavailable("connection failed: \(reason)")
            )
        case .response(let status, let retryAfter, let message):
            let described = message.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(message)"
            switch status {
            case 200..<300:
                return .done
            case 413:
                return lineCount > 1 ? .split : .reject(status: status, reason: described)
            case 400 where Self.namesMissingTarget(message):
                return .retry(after: retry.heldInterval, health: .misconfigured(described))
            case 400, 422:
                return lineCount > 1 ? .split : .reject(status: status, reason: message.isEmpty ? described : message)
            case 401, 403:
                return .retry(after: retry.heldInterval, health: .unauthorized(described))
            case 408, 429, 500..<600:
                return .retry(after: backoff(failures, retryAfter: retryAfter, now: now, &generator), health: .unavailable(described))
            default:
                return .retry(after: retry.heldInterval, health: .misconfigured(described))
            }
        }
    }

    private func backoff(
        _ failures: Int,
        retryAfter: String?,
        now: Double,
        _ generator: inout some RandomNumberGenerator
    ) -> Duration {
        let delay = ExponentialBackoff.delay(attempt: failures - 1, initial: retry.initialBackoff, maximum: retry.maxBackoff,
                                             jitter: retry.jitter, using: &generator)
        guard let requested = retryAfter.flatMap({ RetryAfter.delay($0, now: now) }) else { return delay }
        return min(max(delay, requested), retry.maxBackoff)
    }

    /// InfluxDB 1.x answers 400 (not 404) when the retention policy is missing; such a 400 is about
    /// the target, not the lines. Only the start of the message counts: a parse error quotes the
    /// offending line, which could contain any text.
    static func namesMissingTarget(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return ["retention policy not found", "database not found", "database is required"].contains {
            lowered.hasPrefix($0)
        }
    }
}

/// What the writer does after a request.
public enum RetryAction: Sendable, Hashable {
    /// Every line of the request is written.
    case done
    /// Send the same lines again after the delay; meanwhile the writer reports `health`.
    case retry(after: Duration, health: WriterHealth)
    /// Send each half of the lines as its own request (413, or bad lines to isolate).
    case split
    /// The request's single line is bad; hand it back with the status and reason.
    case reject(status: Int, reason: String)
}
