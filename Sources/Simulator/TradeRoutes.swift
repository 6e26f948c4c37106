import CoinfluxCore
import Hummingbird
import NIOCore

/// The exchanges' recent-trades REST endpoints, served from the markets' trade logs with each
/// exchange's parameters, page sizes, order and fields. Each reaches back at most
/// ``SimulatorConfiguration/historyDepth(_:)`` trades (the whole log by default):
///
/// - Binance: `GET /api/v3/trades?symbol=&limit=` (most recent, ≤ 1000, oldest first),
///   `GET /api/v3/historicalTrades?symbol=&limit=&fromId=` (from trade id `fromId` on), and
///   `GET /api/v3/aggTrades?symbol=&limit=&fromId=&startTime=&endTime=` (one aggregate per
///   trade: every simulated trade is its own taker order).
/// - Upbit and Bithumb v1: `GET /v1/trades/ticks?market=&count=&cursor=&to=&days_ago=` (newest
///   first, ≤ 500; `cursor` = a `sequential_id`, the page holds older trades; one UTC day per
///   request: the latest trade's day, or `days_ago` days before it).
/// - Bybit: `GET /v5/market/recent-trade?category=spot&symbol=&limit=` (newest first, ≤ 60, no paging).
/// - Coinone: `GET /public/v2/trades/{quote}/{target}?size=` (newest first, size 10/50/100/150/200).
/// - Bithumb legacy: `GET /public/transaction_history/{BASE_QUOTE}?count=` (newest first, ≤ 100, no ids).
enum TradeRoutes {
    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        let enabled = context.configuration.exchanges
        let markets = context.markets
        let configuration = context.configuration
        if enabled.contains(.binance) {
            let depth = configuration.historyDepth(.binance)
            for list in BinanceTradeList.allCases {
                router.get("/binance/api/v3/\(list.rawValue)") { request, _ in
                    binanceTrades(request.uri.queryParameters, list: list, markets: markets, depth: depth)
                }
            }
        }
        for exchange in [Exchange.upbit, .bithumb] where enabled.contains(exchange) {
            let depth = configuration.historyDepth(exchange)
            router.get("/\(exchange.rawValue)/v1/trades/ticks") { request, _ in
                upbitTicks(request.uri.queryParameters, exchange: exchange, markets: markets, depth: depth)
            }
        }
        if enabled.contains(.bybit) {
            let depth = configuration.historyDepth(.bybit)
            router.get("/bybit/v5/market/recent-trade") { request, _ -> Response in
                let query = request.uri.queryParameters
                let now = SimulatorContext.epochMicroseconds()
                guard query.get("category") == "spot" else {
                    return RESTRoutes.json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Illegal category", now: now / 1_000, into: &$0) }
                }
                guard let code = query.get("symbol"), let market = Symbol.splitting(concatenated: code).flatMap({ markets.listed(.bybit, $0) }) else {
                    return RESTRoutes.json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Not supported symbols", now: now / 1_000, into: &$0) }
                }
                let limit = min(max(1, query.get("limit").flatMap { Int($0) } ?? 60), 60)
                let (trades, state) = newest(market, limit: limit, depth: depth, at: now)
                return RESTRoutes.json(.ok) { BybitProtocol.writeRESTTrades(trades, code: code, market: state, now: now / 1_000, into: &$0) }
            }
        }
        if enabled.contains(.coinone) {
            let depth = configuration.historyDepth(.coinone)
            router.get("/coinone/public/v2/trades/:quote/:target") { request, requestContext -> Response in
                let now = SimulatorContext.epochMicroseconds()
                let size = request.uri.queryParameters.get("size").map { Int($0) ?? 0 } ?? 200
                guard [10, 50, 100, 150, 200].contains(size),
                      let quote = ClientMessage.asset(requestContext.parameters.get("quote")),
                      let target = ClientMessage.asset(requestContext.parameters.get("target")),
                      let market = markets.listed(.coinone, Symbol(base: target, quote: quote))
                else { return CoinoneRequest.invalidParameter }
                let (trades, state) = newest(market, limit: size, depth: depth, at: now)
                return RESTRoutes.json(.ok) { CoinoneProtocol.writeRESTTrades(trades, market: state, now: now / 1_000, into: &$0) }
            }
        }
        if enabled.contains(.bithumb) {
            let depth = configuration.historyDepth(.bithumb)
            router.get("/bithumb/public/transaction_history/:pair") { request, requestContext -> Response in
                let now = SimulatorContext.epochMicroseconds()
                let count = request.uri.queryParameters.get("count").map { Int($0) ?? 0 } ?? 20
                guard (1...100).contains(count), let pair = requestContext.parameters.get("pair"),
                      let market = BithumbLegacyProtocol.symbol(pair).flatMap({ markets.listed(.bithumb, $0) })
                else { return RESTRoutes.json(.ok) { $0.writeStaticString(#"{"status":"5500","message":"Invalid Parameter"}"#) } }
                let (trades, state) = newest(market, limit: count, depth: depth, at: now)
                return RESTRoutes.json(.ok) { BithumbLegacyProtocol.writeRESTTransactions(trades, market: state, into: &$0) }
            }
        }
    }

    /// Numbers of the trades a REST endpoint with `depth` reaches in `log`.
    static func reachable(_ log: TradeLog, depth: Int) -> Range<Int64> {
        max(log.startNumber, log.endNumber - Int64(depth))..<log.endNumber
    }

    /// The `limit` most recent reachable trades, newest first, and the market's state.
    private static func newest(_ market: Market, limit: Int, depth: Int, at now: Int64) -> ([SimulatedTrade], MarketState) {
        market.inspect(at: now) { log, state in
            let range = reachable(log, depth: depth)
            let first = max(range.lowerBound, range.upperBound - Int64(limit))
            return (log.trades(from: first, limit: limit).reversed(), state)
        }
    }

    /// Binance's three trade lists.
    private enum BinanceTradeList: String, CaseIterable {
        case recent = "trades"
        case historical = "historicalTrades"
        case aggregate = "aggTrades"
    }

    private static func binanceTrades(_ query: Parameters, list: BinanceTradeList, markets: MarketBook, depth: Int) -> Response {
        guard let code = query.get("symbol") else { return BinanceRequest.missingSymbol }
        guard let market = BinanceRequest.market(code, markets: markets) else { return BinanceRequest.invalidSymbol }
        let limit = min(max(1, query.get("limit").flatMap { Int($0) } ?? 500), 1_000)
        let fromID = list == .recent ? nil : query.get("fromId").flatMap { Int64($0) }
        let startTime = list == .aggregate ? query.get("startTime").flatMap { Int64($0) } : nil
        let endTime = list == .aggregate ? query.get("endTime").flatMap { Int64($0) } ?? .max : .max
        let now = SimulatorContext.epochMicroseconds()
        let (trades, state) = market.inspect(at: now) { log, state -> ([SimulatedTrade], MarketState) in
            let range = reachable(log, depth: depth)
            var first = max(range.lowerBound, range.upperBound - Int64(limit))
            if let fromID {
                first = list == .aggregate ? fromID - BinanceProtocol.aggregateIDOffset : log.firstNumber { $0.id >= fromID }
            } else if let startTime {
                first = log.firstNumber { $0.time >= startTime }
            }
            first = max(first, range.lowerBound)
            return (log.trades(from: first, limit: limit).filter { $0.time <= endTime }, state)
        }
        return RESTRoutes.json(.ok) { BinanceProtocol.writeRESTTrades(trades, aggregated: list == .aggregate, market: state, into: &$0) }
    }

    private static func upbitTicks(_ query: Parameters, exchange: Exchange, markets: MarketBook, depth: Int) -> Response {
        guard let code = query.get("market"), let market = Symbol.parsing(quoteDashBase: code).flatMap({ markets.listed(exchange, $0) }) else {
            return RESTRoutes.upbitNotFound
        }
        let count = min(max(1, query.get("count").flatMap { Int($0) } ?? 1), 500)
        let cursor = query.get("cursor").flatMap { Int64($0) } ?? .max
        let daysAgo = Int64(query.get("days_ago") ?? query.get("daysAgo") ?? "0") ?? 0
        guard (0...7).contains(daysAgo) else { return RESTRoutes.upbitNotFound }
        let before = query.get("to").flatMap(secondsOfDay).map { $0 * 1_000 }
        let now = SimulatorContext.epochMicroseconds()
        let (trades, state) = market.inspect(at: now) { log, state -> ([SimulatedTrade], MarketState) in
            let range = reachable(log, depth: depth)
            guard let latest = log.last else { return ([], state) }
            // One UTC day per request: the latest trade's day, or `days_ago` days before it.
            let dayStart = (latest.time / 86_400_000 - daysAgo) * 86_400_000
            let end = min(log.firstNumber { $0.id >= cursor || $0.time >= dayStart + (before ?? 86_400_000) }, range.upperBound)
            let first = max(range.lowerBound, log.firstNumber { $0.time >= dayStart }, end - Int64(count))
            return (first < end ? log.trades(from: first, limit: Int(end - first)).reversed() : [], state)
        }
        return RESTRoutes.json(.ok) { UpbitProtocol.writeRESTTicks(trades, code: code, style: market.style, market: state, into: &$0) }
    }

    /// `HHmmss` or `HH:mm:ss` as seconds of the day.
    private static func secondsOfDay(_ text: String) -> Int64? {
        let digits = text.filter { $0 != ":" }
        guard digits.count == 6, let value = Int64(digits) else { return nil }
        let (hours, minutes, seconds) = (value / 10_000, value / 100 % 100, value % 100)
        guard hours < 24, minutes < 60, seconds < 60 else { return nil }
        return hours * 3_600 + minutes * 60 + seconds
    }
}
