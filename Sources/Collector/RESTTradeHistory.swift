import CoinfluxCore
import Exchanges

/// Fetches pages of an exchange's recent trades over REST for ``GapRepair``: each request takes
/// its cost in slots of the exchange's REST budget (the same ``RequestPacer`` as the ticker
/// fallback), and a 429/418 answer holds every REST request of the exchange for as long as it asks.
struct RESTTradeHistory: Sendable {
    let adapter: any ExchangeAdapter
    let api: TradeHistoryAPI
    let rest: PacedRESTRequest

    /// One page of `symbol`'s recent trades.
    func page(_ symbol: Symbol, _ page: TradePage) async throws -> TradeHistoryPage {
        guard let path = adapter.recentTradesPath(for: symbol, page: page) else {
            throw PacedRESTRequest.Failure(description: "\(adapter.exchange.rawValue) cannot serve \(page) of \(symbol)")
        }
        let body = try await rest.body(of: path, cost: api.requestCost)
        let receivedAt = wallClockNanoseconds()
        return try body.withUnsafeReadableBytes { bytes in
            try adapter.parseRecentTrades(symbol: symbol, body: bytes, receivedAt: receivedAt)
        }
    }
}
