import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation

/// The REST fallback of one connection: while its socket is down, the tickers of its symbols come
/// from the exchange's REST API, within the exchange's request budget.
extension FeedConnection {
    /// While the socket has been down longer than `restFallbackAfter`, polls the REST ticker of
    /// every symbol, each request in a slot of the exchange's REST budget.
    func pollRESTWhileDown() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: settings.restPollInterval)
            } catch {
                return
            }
            let down = downSince.load(ordering: .relaxed)
            guard down != 0, monotonicNanoseconds() - down >= settings.restFallbackAfter.saturatingNanoseconds else { continue }
            for path in adapter.restTickerPaths(for: symbols) {
                do {
                    try await restPacer.wait()
                } catch {
                    return
                }
                // The socket may have come back while this poll waited for its slots.
                guard downSince.load(ordering: .relaxed) != 0 else { break }
                await pollREST(path)
            }
        }
    }

    private func pollREST(_ path: String) async {
        let url = restURL.absoluteString + path
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            let body = try await response.body.collect(upTo: settings.maximumMessageSize)
            if let pause = restPacer.holdIfRateLimited(response, defaultPause: settings.restRateLimitPause) {
                metrics.restPollLimited.increment()
                problems.warning("REST fallback rate-limited by the exchange; pausing its REST polls", metadata: [
                    "status": "\(response.status.code)", "pause_ms": "\(pause.saturatingNanoseconds / 1_000_000)",
                ])
                return
            }
            guard response.status == .ok else {
                throw FrameError("HTTP \(response.status.code)")
            }
            let receivedAt = wallClockNanoseconds()
            var events: [MarketEvent] = []
            try body.withUnsafeReadableBytes { bytes in
                try adapter.parseRESTTicker(path: path, body: bytes, receivedAt: receivedAt, into: &events)
            }
            metrics.restPollOK.increment()
            connection.recordMessage(at: Double(receivedAt) / 1e9)
            metrics.countEvents(events)
            if !events.isEmpty { hand(events, receivedAt: receivedAt) }
        } catch {
            metrics.restPollError.increment()
            problems.warning("REST fallback poll failed", metadata: ["url": "\(url)", "error": "\(error)"])
        }
    }
}
