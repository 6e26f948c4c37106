import AsyncHTTPClient
import CoinfluxCore
import Foundation

extension RequestPacer {
    /// After "too many requests" (429) or a ban (418, Binance): holds every REST request of the
    /// exchange until the time it asked for (`Retry-After`, at most an hour), or for
    /// `defaultPause` when it gave none. Going on would turn a 429 into a ban.
    /// - Returns: The pause, or nil when `response` is no rate limit.
    func holdIfRateLimited(_ response: HTTPClientResponse, defaultPause: Duration) -> Duration? {
        guard response.status == .tooManyRequests || response.status.code == 418 else { return nil }
        let requested = response.headers.first(name: "retry-after").flatMap { RetryAfter.delay($0, now: Date().timeIntervalSince1970) }
        let pause = min(requested ?? defaultPause, .seconds(3_600))
        hold(until: .now + pause)
        return pause
    }
}
