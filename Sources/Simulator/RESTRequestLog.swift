import CoinfluxCore
import NIOConcurrencyHelpers

/// REST requests one exchange received: totals and per second, with Binance's request weight,
/// for tests that check a client stays within the exchange's budget.
public struct RESTRequestCounts: Sendable, Equatable {
    /// One second of requests.
    public struct Second: Sendable, Equatable {
        /// Epoch second.
        public var second: Int64
        public var requests: Int
        /// Sum of the requests' weights (Binance's request weight; 1 per request elsewhere).
        public var weight: Int
    }

    /// Requests received, including those answered 429.
    public var requests = 0
    /// Requests answered 429 by the `rest-limit` fault.
    public var limited = 0
    /// Sum of the requests' weights.
    public var weight = 0
    /// The seconds with requests, oldest first, at most ``RESTRequestLog/secondsKept``.
    public var perSecond: [Second] = []

    /// Most requests in any one second kept.
    public var busiestSecond: Int { perSecond.map(\.requests).max() ?? 0 }
}

/// Lock-protected ``RESTRequestCounts`` for every exchange.
final class RESTRequestLog: Sendable {
    /// Seconds kept per exchange (the last hour with requests).
    static let secondsKept = 3_600

    private let values = NIOLockedValueBox<[Exchange: RESTRequestCounts]>([:])

    func record(_ exchange: Exchange, weight: Int, limited: Bool, atMilliseconds now: Int64) {
        let second = now / 1_000
        values.withLockedValue { values in
            var counts = values[exchange, default: RESTRequestCounts()]
            counts.requests += 1
            counts.weight += weight
            counts.limited += limited ? 1 : 0
            if counts.perSecond.last?.second == second {
                counts.perSecond[counts.perSecond.count - 1].requests += 1
                counts.perSecond[counts.perSecond.count - 1].weight += weight
            } else {
                if counts.perSecond.count == Self.secondsKept {
                    counts.perSecond.removeFirst()
                }
                counts.perSecond.append(.init(second: second, requests: 1, weight: weight))
            }
            values[exchange] = counts
        }
    }

    func snapshot(_ exchange: Exchange) -> RESTRequestCounts {
        values.withLockedValue { $0[exchange] ?? RESTRequestCounts() }
    }

    /// Binance's documented request weight of a public market-data request; 1 for the other
    /// exchanges, whose budgets count requests.
    static func weight(_ exchange: Exchange, path: String, query: [String: String]) -> Int {
        guard exchange == .binance else { return 1 }
        switch path {
        case "/binance/api/v3/trades", "/binance/api/v3/historicalTrades": return 25
        case "/binance/api/v3/aggTrades": return 4
        case "/binance/api/v3/exchangeInfo": return 20
        case "/binance/api/v3/depth":
            // 1-100 → 5, 101-500 → 25, 501-1000 → 50, 1001-5000 → 250.
            let limit = query["limit"].flatMap { Int($0) } ?? BinanceProtocol.defaultDepthLimit
            return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1_000 ? 50 : 250
        case "/binance/api/v3/ticker/24hr":
            if query["symbol"] != nil { return 2 }
            guard let symbols = query["symbols"] else { return 80 }
            let count = symbols.split(separator: ",").count
            return count <= 20 ? 2 : count <= 100 ? 40 : 80
        default: return 1
        }
    }
}
