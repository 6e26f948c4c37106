import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation
import Logging

/// Fetches pages of an exchange's recent trades over REST for ``GapRepair``: each request takes
/// its cost in slots of the exchange's REST budget (the same ``RequestPacer`` as the ticker
/// fallback), and a 429/418 answer holds every REST request of the exchange for as long as it asks.
struct RESTTradeHistory: Sendable {
    let adapter: any ExchangeAdapter
    let restURL: URL
    let api: TradeHistoryAPI
    let pacer: RequestPacer
    let httpClient: HTTPClient
    let maximumBodyBytes: Int
    let rateLimitPause: Duration

    /// Why a page could not be had.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One page of `symbol`'s recent trades.
    func page(_ symbol: Symbol, _ page: TradePage) async throws -> TradeHistoryPage {
        guard let path = adapter.recentTradesPath(for: symbol, page: page) else {
            throw Failure(description: "\(adapter.exchange.rawValue) cannot serve \(page) of \(symbol)")
        }
        for _ in 0..<max(1, api.requestCost) {
            try await pacer.wait()
        }
        let response = try await httpClient.execute(HTTPClientRequest(url: restURL.absoluteString + path), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: maximumBodyBytes)
        if pacer.holdIfRateLimited(response, defaultPause: rateLimitPause) != nil {
            throw Failure(description: "HTTP \(response.status.code): rate-limited by the exchange")
        }
        guard response.status == .ok else {
            throw Failure(description: "HTTP \(response.status.code) for \(path)")
        }
        let receivedAt = wallClockNanoseconds()
        return try body.withUnsafeReadableBytes { bytes in
            try adapter.parseRecentTrades(symbol: symbol, body: bytes, receivedAt: receivedAt)
        }
    }
}
