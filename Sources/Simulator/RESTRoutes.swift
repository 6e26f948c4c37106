import CoinfluxCore
import Hummingbird
import NIOCore

/// The exchanges' REST ticker endpoints, each under its exchange prefix at its real path:
///
/// - `GET /binance/api/v3/ticker/24hr?symbol=BTCUSDT`
/// - `GET /upbit/v1/ticker?markets=KRW-BTC,KRW-ETH`
/// - `GET /bybit/v5/market/tickers?category=spot&symbol=BTCUSDT`
/// - `GET /bithumb/v1/ticker?markets=KRW-BTC` and `GET /bithumb/public/ticker/BTC_KRW`
/// - `GET /coinone/public/v2/ticker_new/KRW/BTC`
enum RESTRoutes {
    /// Most markets one Upbit-style request may name.
    static let maxMarketsPerRequest = 100

    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        let enabled = context.configuration.exchanges
        let markets = context.restMarkets

        if enabled.contains(.binance) {
            router.get("/binance/api/v3/ticker/24hr") { request, _ -> Response in
                let now = SimulatorContext.epochMilliseconds()
                guard let code = request.uri.queryParameters.get("symbol"), !code.isEmpty else {
                    return json(.badRequest) {
                        $0.writeStaticString(#"{"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."}"#)
                    }
                }
                guard code == code.uppercased(), let symbol = Symbol.splitting(concatenated: code) else {
                    return json(.badRequest) { $0.writeStaticString(#"{"code":-1121,"msg":"Invalid symbol."}"#) }
                }
                let market = markets.next(.binance, symbol, now: now)
                return json(.ok) { BinanceProtocol.writeRESTTicker(code, market: market, now: now, into: &$0) }
            }
        }
        if enabled.contains(.upbit) {
            router.get("/upbit/v1/ticker") { request, _ in
                upbitStyleTickers(request, exchange: .upbit, markets: markets)
            }
        }
        if enabled.contains(.bybit) {
            router.get("/bybit/v5/market/tickers") { request, _ -> Response in
                let now = SimulatorContext.epochMilliseconds()
                guard request.uri.queryParameters.get("category") == "spot" else {
                    return json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Illegal category", now: now, into: &$0) }
                }
                guard let code = request.uri.queryParameters.get("symbol"), code == code.uppercased(),
                      let symbol = Symbol.splitting(concatenated: code)
                else {
                    return json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Not supported symbols", now: now, into: &$0) }
                }
                let market = markets.next(.bybit, symbol, now: now)
                return json(.ok) { BybitProtocol.writeRESTTickers(code, market: market, now: now, into: &$0) }
            }
        }
        if enabled.contains(.bithumb) {
            router.get("/bithumb/v1/ticker") { request, _ in
                upbitStyleTickers(request, exchange: .bithumb, markets: markets)
            }
            router.get("/bithumb/public/ticker/:pair") { _, requestContext -> Response in
                let now = SimulatorContext.epochMilliseconds()
                guard let pair = requestContext.parameters.get("pair"), let symbol = BithumbLegacyProtocol.symbol(pair) else {
                    return json(.ok) { $0.writeStaticString(#"{"status":"5500","message":"Invalid Parameter"}"#) }
                }
                let market = markets.next(.bithumb, symbol, now: now)
                return json(.ok) { BithumbLegacyProtocol.writeRESTTicker(market: market, now: now, into: &$0) }
            }
        }
        if enabled.contains(.coinone) {
            router.get("/coinone/public/v2/ticker_new/:quote/:target") { _, requestContext -> Response in
                let now = SimulatorContext.epochMilliseconds()
                guard let quote = ClientMessage.asset(requestContext.parameters.get("quote")),
                      let target = ClientMessage.asset(requestContext.parameters.get("target"))
                else {
                    return json(.badRequest) {
                        $0.writeStaticString(#"{"result":"error","error_code":"107","error_msg":"Parameter value is wrong"}"#)
                    }
                }
                let market = markets.next(.coinone, Symbol(base: target, quote: quote), now: now)
                return json(.ok) { CoinoneProtocol.writeRESTTicker(market: market, now: now, into: &$0) }
            }
        }
    }

    /// `GET /v1/ticker?markets=…` on Upbit and Bithumb v1: a JSON array, one object per market.
    private static func upbitStyleTickers(_ request: Request, exchange: Exchange, markets: MarketBook) -> Response {
        let now = SimulatorContext.epochMilliseconds()
        let codes = (request.uri.queryParameters.get("markets") ?? "").split(separator: ",").map(String.init)
        let symbols = codes.compactMap(Symbol.parsing(quoteDashBase:))
        guard !codes.isEmpty, symbols.count == codes.count, codes.count <= maxMarketsPerRequest else {
            return json(.notFound) { $0.writeStaticString(#"{"error":{"name":404,"message":"Code not found"}}"#) }
        }
        return json(.ok) { buffer in
            buffer.writeStaticString("[")
            for (index, symbol) in symbols.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                let market = markets.next(exchange, symbol, now: now)
                UpbitProtocol.writeRESTTicker(codes[index], market: market, now: now, into: &buffer)
            }
            buffer.writeStaticString("]")
        }
    }

    /// A JSON response whose body `write` fills.
    static func json(_ status: HTTPResponse.Status, headers: HTTPFields = [:], _ write: (inout ByteBuffer) -> Void) -> Response {
        var buffer = ByteBuffer()
        write(&buffer)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }
}

/// Answers an exchange's REST requests (`/<exchange>/…`) with HTTP 429 and `Retry-After` while
/// its `limitREST` fault lasts.
struct RESTLimitMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let faults: FaultBoard

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let first = request.uri.path.split(separator: "/").first, let exchange = Exchange(rawValue: String(first)),
           let retryAfter = faults.restLimit(exchange) {
            return RESTRoutes.json(.tooManyRequests, headers: [.retryAfter: String(retryAfter)]) {
                $0.writeStaticString(#"{"error":"too many requests"}"#)
            }
        }
        return try await next(request, context)
    }
}
