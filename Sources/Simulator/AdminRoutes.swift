import CoinfluxCore
import Hummingbird
import NIOCore

/// Faults, listings, counters and the trade log over HTTP, for demos and for tests in other processes:
///
/// - `POST /admin/<exchange>/close[?symbol=BTC-USDT]` (with a symbol: only the connections carrying it)
/// - `POST /admin/<exchange>/silence?seconds=N`
/// - `POST /admin/<exchange>/malformed?count=N`
/// - `POST /admin/<exchange>/error`
/// - `POST /admin/<exchange>/refuse?seconds=N[&status=429]` (default 503)
/// - `POST /admin/<exchange>/rest-limit?seconds=N[&retry_after=S]` (REST answers 429; default S = N)
/// - `POST /admin/<exchange>/book-gap?symbol=BTC-USDT` and `POST /admin/<exchange>/crossed-book?symbol=BTC-USDT`
/// - `POST /admin/<exchange>/list?symbol=BTC-USDT` and `POST /admin/<exchange>/delist?symbol=BTC-USDT`
/// - `POST /admin/<upbit|bithumb>/flag?symbol=BTC-KRW[&warning=true][&caution=TYPE[,TYPE…]]`: replaces the
///   market's flags (neither: cleared), see ``MarketFlagBoard``
/// - `GET /admin/<exchange>/trades?symbol=BTC-USDT[&since_ms=&until_ms=]`: the market's logged trades
/// - `GET /admin/<exchange>/book?symbol=BTC-USDT[&tick=K]`: the market's book at tick K (default: now), see ``ServedBook``
/// - `GET /admin/counters`: every exchange's ``SimulatorCounters`` and REST request totals as JSON
/// - `GET /admin/rest-requests`: every exchange's ``RESTRequestCounts``, per second
enum AdminRoutes {
    /// Longest `silence` or `refuse` accepted, in seconds (a day).
    static let maxSeconds = 86_400.0

    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        router.post("/admin/:exchange/:action") { request, requestContext -> Response in
            guard let name = requestContext.parameters.get("exchange"), let exchange = Exchange(rawValue: name) else {
                return RESTRoutes.json(.notFound) { $0.writeStaticString(#"{"error":"unknown exchange"}"#) }
            }
            let action = requestContext.parameters.get("action") ?? ""
            let query = request.uri.queryParameters
            if action == "list" || action == "delist" {
                return listing(action == "list", exchange: exchange, query: query, context: context)
            }
            if action == "flag" {
                return flagging(exchange: exchange, query: query, context: context)
            }
            guard let fault = parse(action, query: query) else {
                return RESTRoutes.json(.badRequest) {
                    $0.writeStaticString(#"{"error":"actions: close[?symbol=BASE-QUOTE], silence?seconds=N, malformed?count=N, error, refuse?seconds=N[&status=503|429], rest-limit?seconds=N[&retry_after=S], book-gap?symbol=BASE-QUOTE, crossed-book?symbol=BASE-QUOTE, list?symbol=BASE-QUOTE, delist?symbol=BASE-QUOTE, flag?symbol=BASE-QUOTE[&warning=true][&caution=TYPE,…]"}"#)
                }
            }
            context.faults.apply(fault, to: exchange)
            return RESTRoutes.json(.ok) { $0.writeStaticString(#"{"ok":true}"#) }
        }
        router.get("/admin/:exchange/trades") { request, requestContext -> Response in
            let query = request.uri.queryParameters
            guard let (exchange, symbol, market) = market(query, requestContext, context: context) else { return noSuchMarket }
            let trades = market.loggedTrades(
                since: query.get("since_ms").flatMap { Int64($0) } ?? .min, until: query.get("until_ms").flatMap { Int64($0) } ?? .max,
                at: SimulatorContext.epochMicroseconds()
            )
            return RESTRoutes.json(.ok) { writeTradeLog(trades, exchange: exchange, symbol: symbol, into: &$0) }
        }
        router.get("/admin/:exchange/book") { request, requestContext -> Response in
            let query = request.uri.queryParameters
            guard let (exchange, symbol, market) = market(query, requestContext, context: context) else { return noSuchMarket }
            let tickText = query.get("tick")
            let tick = tickText.flatMap { Int64($0) }
            guard tickText == nil || tick != nil, let book = market.servedBook(tick: tick, at: SimulatorContext.epochMicroseconds()) else {
                return RESTRoutes.json(.notFound) {
                    $0.writeStaticString(#"{"error":"no book at that tick: books off, or the tick is later than now or older than the last 64"}"#)
                }
            }
            return RESTRoutes.json(.ok) { book.write(exchange: exchange, symbol: symbol, into: &$0) }
        }
        router.get("/admin/counters") { _, _ -> Response in
            RESTRoutes.json(.ok) { buffer in
                writeObject(Exchange.allCases, into: &buffer) { exchange, buffer in
                    let counters = context.counters.snapshot(exchange)
                    let rest = context.restRequests.snapshot(exchange)
                    writeFields([
                        ("connectionsAccepted", counters.connectionsAccepted), ("connectionsRefused", counters.connectionsRefused),
                        ("connectionsOpen", counters.connectionsOpen), ("keepaliveDrops", counters.keepaliveDrops),
                        ("subscriptionsReceived", counters.subscriptionsReceived), ("pingsReceived", counters.pingsReceived),
                        ("framesSent", counters.framesSent), ("tradesSent", counters.tradesSent), ("tickersSent", counters.tickersSent),
                        ("tradesDropped", counters.tradesDropped), ("tradesWithheld", counters.tradesWithheld),
                        ("booksSent", counters.booksSent), ("bookMessagesSkipped", counters.bookMessagesSkipped),
                        ("crossedBooksSent", counters.crossedBooksSent),
                        ("restRequests", rest.requests), ("restLimited", rest.limited), ("restWeight", rest.weight),
                    ], into: &buffer)
                }
            }
        }
        router.get("/admin/rest-requests") { _, _ -> Response in
            RESTRoutes.json(.ok) { buffer in
                writeObject(Exchange.allCases, into: &buffer) { exchange, buffer in
                    let rest = context.restRequests.snapshot(exchange)
                    buffer.writeStaticString("{\"requests\":")
                    buffer.writeDecimalInteger(Int64(rest.requests))
                    buffer.writeStaticString(",\"limited\":")
                    buffer.writeDecimalInteger(Int64(rest.limited))
                    buffer.writeStaticString(",\"weight\":")
                    buffer.writeDecimalInteger(Int64(rest.weight))
                    buffer.writeStaticString(",\"busiestSecond\":")
                    buffer.writeDecimalInteger(Int64(rest.busiestSecond))
                    buffer.writeStaticString(",\"perSecond\":")
                    RESTRoutes.writeArray(rest.perSecond, into: &buffer) { second, buffer in
                        buffer.writeStaticString("{\"second\":")
                        buffer.writeDecimalInteger(second.second)
                        buffer.writeStaticString(",\"requests\":")
                        buffer.writeDecimalInteger(Int64(second.requests))
                        buffer.writeStaticString(",\"weight\":")
                        buffer.writeDecimalInteger(Int64(second.weight))
                        buffer.writeStaticString("}")
                    }
                    buffer.writeStaticString("}")
                }
            }
        }
    }

    /// The market a read route names: `:exchange` in the path, `symbol=BASE-QUOTE` in the query.
    private static func market(_ query: Parameters, _ requestContext: BasicRequestContext, context: SimulatorContext) -> (Exchange, Symbol, Market)? {
        guard let exchange = requestContext.parameters.get("exchange").flatMap(Exchange.init(rawValue:)),
              let symbol = query.get("symbol").flatMap(Symbol.init(normalized:)),
              let market = context.markets.market(exchange, symbol)
        else { return nil }
        return (exchange, symbol, market)
    }

    private static var noSuchMarket: Response {
        RESTRoutes.json(.notFound) { $0.writeStaticString(#"{"error":"no such market; use symbol=BASE-QUOTE"}"#) }
    }

    private static func listing(_ list: Bool, exchange: Exchange, query: Parameters, context: SimulatorContext) -> Response {
        guard let symbol = query.get("symbol").flatMap(Symbol.init(normalized:)) else {
            return RESTRoutes.json(.badRequest) { $0.writeStaticString(#"{"error":"symbol=BASE-QUOTE required"}"#) }
        }
        let now = SimulatorContext.epochMicroseconds()
        let changed = list
            ? context.markets.list(symbol, on: exchange, at: now) != nil
            : context.markets.delist(symbol, on: exchange, at: now)
        guard changed else {
            return RESTRoutes.json(.notFound) { $0.writeStaticString(#"{"error":"not listed, or the exchange is not served"}"#) }
        }
        return RESTRoutes.json(.ok) { $0.writeStaticString(#"{"ok":true}"#) }
    }

    /// `flag?symbol=&warning=&caution=`: the market's new flags.
    private static func flagging(exchange: Exchange, query: Parameters, context: SimulatorContext) -> Response {
        guard MarketFlagBoard.exchanges.contains(exchange) else {
            return RESTRoutes.json(.badRequest) { $0.writeStaticString(#"{"error":"only upbit and bithumb flag markets"}"#) }
        }
        guard let symbol = query.get("symbol").flatMap(Symbol.init(normalized:)), context.markets.market(exchange, symbol) != nil else {
            return noSuchMarket
        }
        let warning = query.get("warning") ?? "false"
        let cautions = (query.get("caution") ?? "").split(separator: ",").map(String.init)
        guard warning == "true" || warning == "false", cautions.allSatisfy({ MarketFlags.isCautionName(Array($0.utf8)) }) else {
            return RESTRoutes.json(.badRequest) {
                $0.writeStaticString(#"{"error":"warning=true|false; caution: alert types (upper-case letters, digits, _) separated by commas"}"#)
            }
        }
        context.flags.set(MarketFlags(warning: warning == "true", cautions: cautions), of: symbol, on: exchange)
        return RESTRoutes.json(.ok) { $0.writeStaticString(#"{"ok":true}"#) }
    }

    private static func writeTradeLog(_ trades: [LoggedTrade], exchange: Exchange, symbol: Symbol, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"exchange\":")
        buffer.writeJSONString(exchange.rawValue)
        buffer.writeStaticString(",\"symbol\":")
        buffer.writeJSONString(symbol.description)
        buffer.writeStaticString(",\"trades\":")
        RESTRoutes.writeArray(trades, into: &buffer) { trade, buffer in
            buffer.writeStaticString("{\"number\":")
            buffer.writeDecimalInteger(trade.number)
            buffer.writeStaticString(",\"id\":")
            buffer.writeJSONString(trade.id)
            buffer.writeStaticString(",\"price\":")
            buffer.writeJSONString(trade.price)
            buffer.writeStaticString(",\"size\":")
            buffer.writeJSONString(trade.size)
            buffer.writeStaticString(",\"time_ms\":")
            buffer.writeDecimalInteger(trade.time)
            buffer.writeStaticString(",\"side\":")
            buffer.writeJSONString(trade.side.rawValue)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("}")
    }

    /// `{"binance":…,"upbit":…}` with each value written by `write`.
    private static func writeObject(_ exchanges: [Exchange], into buffer: inout ByteBuffer, _ write: (Exchange, inout ByteBuffer) -> Void) {
        buffer.writeStaticString("{")
        for (index, exchange) in exchanges.enumerated() {
            buffer.writeStaticString(index == 0 ? "\"" : ",\"")
            buffer.writeString(exchange.rawValue)
            buffer.writeStaticString("\":")
            write(exchange, &buffer)
        }
        buffer.writeStaticString("}")
    }

    /// `{"name":value,…}`.
    private static func writeFields(_ fields: [(String, Int)], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{")
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeJSONString(field.0)
            buffer.writeStaticString(":")
            buffer.writeDecimalInteger(Int64(field.1))
        }
        buffer.writeStaticString("}")
    }

    /// The fault named `name` with its query parameters, or nil when either is invalid.
    static func parse(_ name: String, query: Parameters) -> SimulatorFault? {
        func seconds() -> Duration? {
            guard let text = query.get("seconds"), let value = Double(text), value >= 0, value <= maxSeconds else { return nil }
            return .milliseconds(Int64(value * 1_000))
        }
        switch name {
        case "close":
            guard let text = query.get("symbol") else { return .close }
            return Symbol(normalized: text).map { .closeConnections(carrying: $0) }
        case "error":
            return .error
        case "silence":
            return seconds().map { .silence($0) }
        case "malformed":
            guard let text = query.get("count"), let count = Int(text), count > 0, count <= FaultBoard.maxPendingMalformed else { return nil }
            return .malformed(count: count)
        case "refuse":
            let status = query.get("status").flatMap { Int($0) } ?? 503
            guard (400...599).contains(status) else { return nil }
            return seconds().map { .refuse($0, status: status) }
        case "book-gap", "crossed-book":
            guard let symbol = query.get("symbol").flatMap(Symbol.init(normalized:)) else { return nil }
            return name == "book-gap" ? .bookGap(symbol) : .crossedBook(symbol)
        case "rest-limit":
            guard let duration = seconds() else { return nil }
            let fallback = Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded(.up))
            guard let retryAfter = query.get("retry_after").map({ Int($0) }) ?? fallback, (0...86_400).contains(retryAfter) else { return nil }
            return .limitREST(duration, retryAfterSeconds: retryAfter)
        default:
            return nil
        }
    }
}
