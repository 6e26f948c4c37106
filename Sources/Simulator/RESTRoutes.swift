import CoinfluxCore
import Foundation
import Hummingbird
import NIOCore

/// The exchanges' REST ticker endpoints, each under its exchange prefix at its real path; a
/// market that is not listed gets the exchange's error:
///
/// - `GET /binance/api/v3/ticker/24hr[?symbol=BTCUSDT | ?symbols=["BTCUSDT","ETHUSDT"]]` (no
///   parameter: every listed market)
/// - `GET /binance/api/v3/depth?symbol=BTCUSDT[&limit=N]`: the current book tick's best N levels
///   a side (default 100, at most 5000), `lastUpdateId` that tick's `u` (not served when books are off)
/// - `GET /upbit/v1/ticker?markets=KRW-BTC,KRW-ETH` and `GET /upbit/v1/ticker/all?quote_currencies=KRW,BTC`
/// - `GET /bybit/v5/market/tickers?category=spot[&symbol=BTCUSDT]`
/// - `GET /bithumb/v1/ticker?markets=KRW-BTC` and `GET /bithumb/public/ticker/BTC_KRW`
/// - `GET /coinone/public/v2/ticker_new/KRW/BTC` and `GET /coinone/public/v2/ticker_new/KRW` (all)
///
/// See ``TradeRoutes`` for recent trades and ``MarketListRoutes`` for the market lists.
enum RESTRoutes {
    /// Most markets one Upbit-style request may name.
    static let maxMarketsPerRequest = 100

    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        let enabled = context.configuration.exchanges
        let markets = context.markets

        if enabled.contains(.binance) {
            router.get("/binance/api/v3/ticker/24hr") { request, _ -> Response in
                let now = SimulatorContext.epochMicroseconds()
                let query = request.uri.queryParameters
                guard let code = query.get("symbol") else {
                    guard let listed = BinanceRequest.symbols(query.get("symbols"), markets: markets) else {
                        return BinanceRequest.invalidSymbol
                    }
                    return json(.ok) { buffer in
                        writeArray(listed, into: &buffer) { market, buffer in
                            BinanceProtocol.writeTicker(BinanceRequest.code(market.symbol), market: market.state(at: now), now: now / 1_000, form: .rest, into: &buffer)
                        }
                    }
                }
                guard let market = BinanceRequest.market(code, markets: markets) else { return BinanceRequest.invalidSymbol }
                return json(.ok) { BinanceProtocol.writeTicker(code, market: market.state(at: now), now: now / 1_000, form: .rest, into: &$0) }
            }
        }
        if enabled.contains(.binance), context.configuration.effectiveBooksPerSecond(.binance) > 0 {
            router.get("/binance/api/v3/depth") { request, _ -> Response in
                let now = SimulatorContext.epochMicroseconds()
                let query = request.uri.queryParameters
                guard let code = query.get("symbol") else { return BinanceRequest.missingSymbol }
                guard let market = BinanceRequest.market(code, markets: markets) else { return BinanceRequest.invalidSymbol }
                guard let limit = query.get("limit").map({ Int($0) }) ?? BinanceProtocol.defaultDepthLimit, limit > 0 else {
                    return BinanceRequest.invalidLimit
                }
                guard let book = market.book(tick: market.bookTick(at: now), at: now) else { return BinanceRequest.invalidSymbol }
                return json(.ok) {
                    BinanceProtocol.writeRESTDepth(book, model: market.bookModel, limit: min(limit, BinanceProtocol.maxDepthLimit), into: &$0)
                }
            }
        }
        if enabled.contains(.upbit) {
            router.get("/upbit/v1/ticker") { request, _ in
                upbitStyleTickers(request, exchange: .upbit, markets: markets)
            }
            router.get("/upbit/v1/ticker/all") { request, _ -> Response in
                let now = SimulatorContext.epochMicroseconds()
                let quotes = Set((request.uri.queryParameters.get("quote_currencies") ?? "").split(separator: ",").map(String.init))
                guard !quotes.isEmpty else { return upbitNotFound }
                let listed = markets.markets(.upbit).filter { $0.isListed && quotes.contains($0.symbol.quote) }
                return json(.ok) { buffer in
                    writeArray(listed, into: &buffer) { market, buffer in
                        UpbitProtocol.writeRESTTicker(market.symbol.quoteDashBase, market: market.state(at: now), now: now / 1_000, into: &buffer)
                    }
                }
            }
        }
        if enabled.contains(.bybit) {
            router.get("/bybit/v5/market/tickers") { request, _ -> Response in
                let now = SimulatorContext.epochMicroseconds()
                guard request.uri.queryParameters.get("category") == "spot" else {
                    return json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Illegal category", now: now / 1_000, into: &$0) }
                }
                var listed = markets.markets(.bybit).filter(\.isListed)
                if let code = request.uri.queryParameters.get("symbol") {
                    guard code == code.uppercased(), let symbol = Symbol.splitting(concatenated: code),
                          let market = markets.listed(.bybit, symbol)
                    else {
                        return json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Not supported symbols", now: now / 1_000, into: &$0) }
                    }
                    listed = [market]
                }
                return json(.ok) { BybitProtocol.writeRESTTickers(listed.map { ($0.symbol.concatenated, $0.state(at: now)) }, now: now / 1_000, into: &$0) }
            }
        }
        if enabled.contains(.bithumb) {
            router.get("/bithumb/v1/ticker") { request, _ in
                upbitStyleTickers(request, exchange: .bithumb, markets: markets)
            }
            router.get("/bithumb/public/ticker/:pair") { _, requestContext -> Response in
                let now = SimulatorContext.epochMicroseconds()
                guard let pair = requestContext.parameters.get("pair"), let symbol = BithumbLegacyProtocol.symbol(pair),
                      let market = markets.listed(.bithumb, symbol)
                else {
                    return json(.ok) { $0.writeStaticString(#"{"status":"5500","message":"Invalid Parameter"}"#) }
                }
                return json(.ok) { BithumbLegacyProtocol.writeRESTTicker(market: market.state(at: now), now: now / 1_000, into: &$0) }
            }
        }
        if enabled.contains(.coinone) {
            router.get("/coinone/public/v2/ticker_new/:quote/:target") { _, requestContext -> Response in
                let now = SimulatorContext.epochMicroseconds()
                guard let quote = ClientMessage.asset(requestContext.parameters.get("quote")),
                      let target = ClientMessage.asset(requestContext.parameters.get("target")),
                      let market = markets.listed(.coinone, Symbol(base: target, quote: quote))
                else { return CoinoneRequest.invalidParameter }
                return json(.ok) { CoinoneProtocol.writeRESTTickers([market.state(at: now)], now: now / 1_000, into: &$0) }
            }
            router.get("/coinone/public/v2/ticker_new/:quote") { _, requestContext -> Response in
                let now = SimulatorContext.epochMicroseconds()
                guard let quote = ClientMessage.asset(requestContext.parameters.get("quote")) else { return CoinoneRequest.invalidParameter }
                let listed = markets.markets(.coinone).filter { $0.isListed && $0.symbol.quote == quote }
                return json(.ok) { CoinoneProtocol.writeRESTTickers(listed.map { $0.state(at: now) }, now: now / 1_000, into: &$0) }
            }
        }
    }

    /// `GET /v1/ticker?markets=…` on Upbit and Bithumb v1: a JSON array, one object per market.
    private static func upbitStyleTickers(_ request: Request, exchange: Exchange, markets: MarketBook) -> Response {
        let now = SimulatorContext.epochMicroseconds()
        let codes = (request.uri.queryParameters.get("markets") ?? "").split(separator: ",").map(String.init)
        let listed = codes.compactMap { Symbol.parsing(quoteDashBase: $0).flatMap { markets.listed(exchange, $0) } }
        guard !codes.isEmpty, listed.count == codes.count, codes.count <= maxMarketsPerRequest else { return upbitNotFound }
        return json(.ok) { buffer in
            writeArray(Array(zip(codes, listed)), into: &buffer) { pair, buffer in
                UpbitProtocol.writeRESTTicker(pair.0, market: pair.1.state(at: now), now: now / 1_000, into: &buffer)
            }
        }
    }

    /// Upbit's answer to a market it does not know.
    static var upbitNotFound: Response {
        json(.notFound) { $0.writeStaticString(#"{"error":{"name":404,"message":"Code not found"}}"#) }
    }

    /// Writes `elements` as a JSON array, each with `write`.
    static func writeArray<Element>(_ elements: [Element], into buffer: inout ByteBuffer, _ write: (Element, inout ByteBuffer) -> Void) {
        buffer.writeStaticString("[")
        for (index, element) in elements.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            write(element, &buffer)
        }
        buffer.writeStaticString("]")
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

/// Binance REST parameters and errors.
enum BinanceRequest {
    static var invalidSymbol: Response {
        RESTRoutes.json(.badRequest) { $0.writeStaticString(#"{"code":-1121,"msg":"Invalid symbol."}"#) }
    }

    static var invalidLimit: Response {
        RESTRoutes.json(.badRequest) { $0.writeStaticString(#"{"code":-1100,"msg":"Illegal characters found in parameter 'limit'; legal range is '1-5000'."}"#) }
    }

    static var missingSymbol: Response {
        RESTRoutes.json(.badRequest) {
            $0.writeStaticString(#"{"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."}"#)
        }
    }

    /// `BTCUSDT` for BTC-USDT.
    static func code(_ symbol: Symbol) -> String { symbol.concatenated }

    /// The listed market of an upper-case code such as `BTCUSDT`.
    static func market(_ code: String, markets: MarketBook) -> Market? {
        guard code == code.uppercased(), let symbol = Symbol.splitting(concatenated: code) else { return nil }
        return markets.listed(.binance, symbol)
    }

    /// The markets of `symbols=["BTCUSDT","ETHUSDT"]`, or every listed market when absent; nil
    /// when one is malformed or not listed.
    static func symbols(_ parameter: String?, markets: MarketBook) -> [Market]? {
        guard let parameter else { return markets.markets(.binance).filter(\.isListed) }
        let codes = parameter.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        let listed = codes.compactMap { market($0, markets: markets) }
        return !codes.isEmpty && listed.count == codes.count ? listed : nil
    }
}

/// Coinone REST errors.
enum CoinoneRequest {
    static var invalidParameter: Response {
        RESTRoutes.json(.badRequest) { $0.writeStaticString(#"{"result":"error","error_code":"107","error_msg":"Parameter value is wrong"}"#) }
    }
}

extension Symbol {
    /// `BTCUSDT`: Binance's and Bybit's market code.
    var concatenated: String { base + quote }
    /// `KRW-BTC`: Upbit's and Bithumb v1's market code.
    var quoteDashBase: String { "\(quote)-\(base)" }
}
