import CoinfluxCore
import Hummingbird
import NIOCore

/// The exchanges' market-list endpoints, listing the simulator's markets:
///
/// - Binance `GET /api/v3/exchangeInfo[?symbol=|symbols=]`: every market ever listed, `status`
///   `TRADING` or (delisted) `BREAK`, with `baseAsset`, `quoteAsset`, price and lot filters.
/// - Upbit `GET /v1/market/all[?is_details=true]` and Bithumb `GET /v1/market/all[?isDetails=true]`:
///   the listed markets (`market`, `korean_name`, `english_name`; details add the warning flags of
///   ``MarketFlagBoard``: Upbit's `market_event`, Bithumb's `market_warning`).
/// - Bithumb `GET /v1/market/virtual_asset_warning`: one element per alert of a listed market
///   (`market`, `warning_type`, `end_date` a day ahead in KST).
/// - Bybit `GET /v5/market/instruments-info?category=spot[&symbol=]`: the listed markets, status `Trading`.
/// - Coinone `GET /public/v2/markets/{quote}`: the listed markets of that quote currency.
enum MarketListRoutes {
    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        let enabled = context.configuration.exchanges
        let markets = context.markets
        if enabled.contains(.binance) {
            router.get("/binance/api/v3/exchangeInfo") { request, _ -> Response in
                let query = request.uri.queryParameters
                var listed = markets.markets(.binance)
                if let code = query.get("symbol") ?? query.get("symbols") {
                    guard let named = BinanceRequest.symbols(code, markets: markets) else { return BinanceRequest.invalidSymbol }
                    listed = named
                }
                let now = SimulatorContext.epochMicroseconds()
                return RESTRoutes.json(.ok) { buffer in
                    buffer.writeStaticString(#"{"timezone":"UTC","serverTime":"#)
                    buffer.writeDecimalInteger(now / 1_000)
                    buffer.writeStaticString(#","rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000}],"exchangeFilters":[],"symbols":"#)
                    RESTRoutes.writeArray(listed, into: &buffer) { market, buffer in
                        writeBinanceSymbol(market, state: market.state(at: now), into: &buffer)
                    }
                    buffer.writeStaticString("}")
                }
            }
        }
        for exchange in [Exchange.upbit, .bithumb] where enabled.contains(exchange) {
            router.get("/\(exchange.rawValue)/v1/market/all") { request, _ -> Response in
                let query = request.uri.queryParameters
                let details = (query.get("is_details") ?? query.get("isDetails")) == "true"
                let listed = markets.markets(exchange).filter(\.isListed)
                return RESTRoutes.json(.ok) { buffer in
                    RESTRoutes.writeArray(listed, into: &buffer) { market, buffer in
                        buffer.writeStaticString("{\"market\":")
                        buffer.writeJSONString(market.symbol.quoteDashBase)
                        buffer.writeStaticString(",\"korean_name\":")
                        buffer.writeJSONString(AssetNames.korean(market.symbol.base))
                        buffer.writeStaticString(",\"english_name\":")
                        buffer.writeJSONString(AssetNames.english(market.symbol.base))
                        if details {
                            let flags = context.flags.flags(of: market.symbol, on: exchange)
                            if exchange == .upbit {
                                writeUpbitMarketEvent(flags, into: &buffer)
                            } else {
                                buffer.writeStaticString(flags.warning ? #","market_warning":"CAUTION""# : #","market_warning":"NONE""#)
                            }
                        }
                        buffer.writeStaticString("}")
                    }
                }
            }
        }
        if enabled.contains(.bithumb) {
            router.get("/bithumb/v1/market/virtual_asset_warning") { _, _ -> Response in
                let alerts = markets.markets(.bithumb).filter(\.isListed).flatMap { market in
                    context.flags.flags(of: market.symbol, on: .bithumb).cautions.map { (market.symbol, $0) }
                }
                let end = CivilTime(epochMilliseconds: SimulatorContext.epochMilliseconds() + 86_400_000, offsetHours: CivilTime.koreaOffsetHours)
                return RESTRoutes.json(.ok) { buffer in
                    RESTRoutes.writeArray(alerts, into: &buffer) { alert, buffer in
                        buffer.writeStaticString("{\"market\":")
                        buffer.writeJSONString(alert.0.quoteDashBase)
                        buffer.writeStaticString(",\"warning_type\":")
                        buffer.writeJSONString(alert.1)
                        buffer.writeStaticString(",\"end_date\":\"")
                        buffer.writeDashedDate(end)
                        buffer.writeStaticString(" ")
                        buffer.writeColonTime(end)
                        buffer.writeStaticString("\"}")
                    }
                }
            }
        }
        if enabled.contains(.bybit) {
            router.get("/bybit/v5/market/instruments-info") { request, _ -> Response in
                let now = SimulatorContext.epochMicroseconds()
                let query = request.uri.queryParameters
                guard query.get("category") == "spot" else {
                    return RESTRoutes.json(.ok) { BybitProtocol.writeRESTError(code: 10_001, message: "Illegal category", now: now / 1_000, into: &$0) }
                }
                let wanted = query.get("symbol")
                let listed = markets.markets(.bybit).filter { market in market.isListed && (wanted == nil || wanted == market.symbol.concatenated) }
                return RESTRoutes.json(.ok) { buffer in
                    buffer.writeStaticString(#"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":"#)
                    RESTRoutes.writeArray(listed, into: &buffer) { market, buffer in
                        writeBybitInstrument(market, state: market.state(at: now), into: &buffer)
                    }
                    buffer.writeStaticString(#"},"retExtInfo":{},"time":"#)
                    buffer.writeDecimalInteger(now / 1_000)
                    buffer.writeStaticString("}")
                }
            }
        }
        if enabled.contains(.coinone) {
            router.get("/coinone/public/v2/markets/:quote") { _, requestContext -> Response in
                let now = SimulatorContext.epochMicroseconds()
                guard let quote = ClientMessage.asset(requestContext.parameters.get("quote")) else { return CoinoneRequest.invalidParameter }
                let listed = markets.markets(.coinone).filter { $0.isListed && $0.symbol.quote == quote }
                return RESTRoutes.json(.ok) { buffer in
                    buffer.writeStaticString(#"{"result":"success","error_code":"0","server_time":"#)
                    buffer.writeDecimalInteger(now / 1_000)
                    buffer.writeStaticString(#","markets":"#)
                    RESTRoutes.writeArray(listed, into: &buffer) { market, buffer in
                        writeCoinoneMarket(market.state(at: now), into: &buffer)
                    }
                    buffer.writeStaticString("}")
                }
            }
        }
    }

    /// Upbit's documented caution types, always listed (true or false).
    private static let upbitCautions = [
        "PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING", "DEPOSIT_AMOUNT_SOARING", "GLOBAL_PRICE_DIFFERENCES", "CONCENTRATION_OF_SMALL_ACCOUNTS",
    ]

    /// `,"market_event":{"warning":…,"caution":{…}}`: the documented types, then any other type set.
    private static func writeUpbitMarketEvent(_ flags: MarketFlags, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(flags.warning ? #","market_event":{"warning":true,"caution":{"# : #","market_event":{"warning":false,"caution":{"#)
        let others = flags.cautions.filter { !upbitCautions.contains($0) }
        for (index, type) in (upbitCautions + others).enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeJSONString(type)
            buffer.writeStaticString(flags.cautions.contains(type) ? ":true" : ":false")
        }
        buffer.writeStaticString("}}")
    }

    private static func writeBinanceSymbol(_ market: Market, state: MarketState, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"symbol\":")
        buffer.writeJSONString(market.symbol.concatenated)
        buffer.writeStaticString(market.isListed ? ",\"status\":\"TRADING\",\"baseAsset\":" : ",\"status\":\"BREAK\",\"baseAsset\":")
        buffer.writeJSONString(market.symbol.base)
        buffer.writeStaticString(",\"baseAssetPrecision\":8,\"quoteAsset\":")
        buffer.writeJSONString(market.symbol.quote)
        buffer.writeStaticString(#","quotePrecision":8,"quoteAssetPrecision":8,"orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],"isSpotTradingAllowed":true,"isMarginTradingAllowed":false,"filters":[{"filterType":"PRICE_FILTER","minPrice":"#)
        buffer.writeQuotedDecimal(state.tick, fractionDigits: 8)
        buffer.writeStaticString(#","maxPrice":"1000000.00000000","tickSize":"#)
        buffer.writeQuotedDecimal(state.tick, fractionDigits: 8)
        buffer.writeStaticString(#"},{"filterType":"LOT_SIZE","minQty":"#)
        buffer.writeQuotedDecimal(state.lot, fractionDigits: 8)
        buffer.writeStaticString(#","maxQty":"9000.00000000","stepSize":"#)
        buffer.writeQuotedDecimal(state.lot, fractionDigits: 8)
        buffer.writeStaticString(#"}],"permissions":[],"permissionSets":[["SPOT"]]}"#)
    }

    private static func writeBybitInstrument(_ market: Market, state: MarketState, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"symbol\":")
        buffer.writeJSONString(market.symbol.concatenated)
        buffer.writeStaticString(",\"baseCoin\":")
        buffer.writeJSONString(market.symbol.base)
        buffer.writeStaticString(",\"quoteCoin\":")
        buffer.writeJSONString(market.symbol.quote)
        buffer.writeStaticString(#","innovation":"0","status":"Trading","marginTrading":"none","stTag":"0","lotSizeFilter":{"basePrecision":"#)
        buffer.writeQuotedDecimal(state.lot, fractionDigits: state.quantityDigits)
        buffer.writeStaticString(#","quotePrecision":"0.00000001","minOrderQty":"#)
        buffer.writeQuotedDecimal(state.lot, fractionDigits: state.quantityDigits)
        buffer.writeStaticString(#","maxOrderQty":"9000","minOrderAmt":"1","maxOrderAmt":"2000000"},"priceFilter":{"tickSize":"#)
        buffer.writeQuotedDecimal(state.tick, fractionDigits: state.priceDigits)
        buffer.writeStaticString("}}")
    }

    private static func writeCoinoneMarket(_ state: MarketState, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"quote_currency\":")
        buffer.writeJSONString(state.symbol.quote)
        buffer.writeStaticString(",\"target_currency\":")
        buffer.writeJSONString(state.symbol.base)
        buffer.writeStaticString(",\"price_unit\":")
        buffer.writeQuotedDecimal(state.tick, fractionDigits: max(1, state.priceDigits))
        buffer.writeStaticString(",\"qty_unit\":")
        buffer.writeQuotedDecimal(state.lot, fractionDigits: max(1, state.quantityDigits))
        buffer.writeStaticString(#","max_order_amount":"1000000000.0","max_price":"1000000000.0","max_qty":"1000000000.0","min_order_amount":"5000.0","min_price":"#)
        buffer.writeQuotedDecimal(state.tick, fractionDigits: max(1, state.priceDigits))
        buffer.writeStaticString(#","min_qty":"#)
        buffer.writeQuotedDecimal(state.lot, fractionDigits: max(1, state.quantityDigits))
        buffer.writeStaticString(#","order_book_units":[],"maintenance_status":0,"trade_status":1,"order_types":["limit","market"]}"#)
    }
}
