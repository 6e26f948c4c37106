import CoinfluxCore
import NIOCore
import NIOWebSocket

/// Bybit v5 public spot stream (`/v5/public/spot`).
///
/// `{"op":"subscribe","args":["tickers.BTCUSDT","publicTrade.BTCUSDT","orderbook.50.BTCUSDT"],"req_id":…}` (at most
/// 10 args) is acknowledged with `success`/`ret_msg`/`conn_id`/`op`; the client keeps the
/// connection with `{"op":"ping"}`, answered with the spot pong. Tickers are snapshots with a
/// `data` object; trades carry a `data` array. Prices are strings.
struct BybitProtocol: ExchangeProtocol {
    var exchange: Exchange { .bybit }
    var opcode: WebSocketOpcode { .text }

    /// Spot subscribe requests take at most this many args.
    static let maxArgs = 10

    func greeting(_ session: SessionInfo) -> [ByteBuffer] { [] }

    func handle(_ message: ByteBuffer, session: SessionInfo) -> RequestOutcome {
        guard let request = ClientMessage.json(message) as? [String: Any], let op = request["op"] as? String else {
            return Self.reply(success: false, message: "error:unmarshal request failed", op: "", requestID: nil, session: session)
        }
        let requestID = request["req_id"] as? String
        switch op {
        case "ping":
            var outcome = Self.reply(success: true, message: "pong", op: "ping", requestID: requestID, session: session)
            outcome.isKeepalivePing = true
            return outcome
        case "subscribe", "unsubscribe":
            guard let args = request["args"] as? [Any], !args.isEmpty else {
                return Self.reply(success: false, message: "error:args is empty", op: op, requestID: requestID, session: session)
            }
            guard args.count <= Self.maxArgs else {
                return Self.reply(
                    success: false, message: "error:args size >\(Self.maxArgs)", op: op, requestID: requestID, session: session
                )
            }
            var subscriptions: [Subscription] = []
            for arg in args {
                guard let topic = arg as? String, let subscription = Self.subscription(topic: topic) else {
                    return Self.reply(
                        success: false, message: "error:handler not found,topic:\(arg)", op: op, requestID: requestID,
                        session: session
                    )
                }
                subscriptions.append(subscription)
            }
            let ack = Self.reply(success: true, message: op == "subscribe" ? "subscribe" : "", op: op, requestID: requestID, session: session)
            return .subscribing(op == "subscribe", subscriptions, replies: ack.replies)
        default:
            return Self.reply(success: false, message: "error:invalid op \(op)", op: op, requestID: requestID, session: session)
        }
    }

    /// `tickers.BTCUSDT`, `publicTrade.BTCUSDT` or `orderbook.{1|50|200}.BTCUSDT`.
    static func subscription(topic: String) -> Subscription? {
        let parts = topic.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let code = parts.last, code == code.uppercased(),
              let symbol = Symbol.splitting(concatenated: String(code))
        else { return nil }
        switch (parts[0], parts.count) {
        case ("tickers", 2): return Subscription(channel: .ticker, symbol: symbol, code: String(code), name: topic)
        case ("publicTrade", 2): return Subscription(channel: .trade, symbol: symbol, code: String(code), name: topic)
        case ("orderbook", 3):
            guard let depth = Int(parts[1]), bookDepths.contains(depth) else { return nil }
            return Subscription(channel: .book, symbol: symbol, code: String(code), name: topic, depth: depth)
        default: return nil
        }
    }

    /// The spot order-book depths served (the simulated book has 50 levels a side, so 200 carries 50).
    static let bookDepths: Set<Int> = [1, 50, 200]

    func writeTicker(_ subscription: Subscription, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"topic\":")
        buffer.writeJSONString(subscription.name)
        buffer.writeStaticString(",\"ts\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString(",\"type\":\"snapshot\",\"cs\":")
        buffer.writeDecimalInteger(market.lastTrade.id)
        buffer.writeStaticString(",\"data\":")
        Self.writeTickerObject(subscription.code, market: market, withBook: false, into: &buffer)
        buffer.writeStaticString("}")
    }

    func writeTrade(_ subscription: Subscription, trade: SimulatedTrade, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        let style = TradeStyle.of(.bybit)
        buffer.writeStaticString("{\"topic\":")
        buffer.writeJSONString(subscription.name)
        buffer.writeStaticString(",\"type\":\"snapshot\",\"ts\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString(",\"data\":[{\"T\":")
        buffer.writeDecimalInteger(trade.time)
        buffer.writeStaticString(",\"s\":\"")
        buffer.writeString(subscription.code)
        // `S`: the taker's side.
        buffer.writeStaticString(trade.takerBought ? "\",\"S\":\"Buy\",\"v\":" : "\",\"S\":\"Sell\",\"v\":")
        style.writeQuantity(trade, market: market, into: &buffer)
        buffer.writeStaticString(",\"p\":")
        style.writePrice(trade, market: market, into: &buffer)
        buffer.writeStaticString(",\"i\":")
        style.writeID(trade, quoted: true, into: &buffer)
        buffer.writeStaticString(",\"BT\":false}]}")
    }

    func errorFrame(_ session: SessionInfo) -> ByteBuffer {
        Self.reply(success: false, message: "error:simulated server error", op: "", requestID: nil, session: session).replies[0]
    }

    func wrongTypeFrame() -> ByteBuffer {
        ByteBuffer(string: #"{"topic":"tickers.BTCUSDT","ts":"now","type":1,"cs":"x","data":[{"symbol":7,"lastPrice":{"v":1},"volume24h":false}]}"#)
    }

    func keepalive(_ settings: SimulatorConfiguration.Keepalive) -> KeepalivePolicy {
        .applicationPing(timeout: settings.bybitPingTimeout)
    }

    /// The spot ticker object; with `withBook` the REST variant that adds best bid/ask.
    static func writeTickerObject(_ code: String, market: MarketState, withBook: Bool, into buffer: inout ByteBuffer) {
        let digits = market.priceDigits
        buffer.writeStaticString("{\"symbol\":\"")
        buffer.writeString(code)
        buffer.writeStaticString("\"")
        if withBook {
            buffer.writeStaticString(",\"bid1Price\":")
            buffer.writeQuotedDecimal(market.bestBid, fractionDigits: digits)
            buffer.writeStaticString(",\"bid1Size\":")
            buffer.writeQuotedDecimal(market.bestBidSize, fractionDigits: market.quantityDigits)
            buffer.writeStaticString(",\"ask1Price\":")
            buffer.writeQuotedDecimal(market.bestAsk, fractionDigits: digits)
            buffer.writeStaticString(",\"ask1Size\":")
            buffer.writeQuotedDecimal(market.bestAskSize, fractionDigits: market.quantityDigits)
        }
        buffer.writeStaticString(",\"lastPrice\":")
        buffer.writeQuotedDecimal(market.price, fractionDigits: digits)
        buffer.writeStaticString(",\"prevPrice24h\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: digits)
        buffer.writeStaticString(",\"price24hPcnt\":")
        buffer.writeQuotedDecimal(market.changeRate, fractionDigits: 4)
        buffer.writeStaticString(",\"highPrice24h\":")
        buffer.writeQuotedDecimal(market.high, fractionDigits: digits)
        buffer.writeStaticString(",\"lowPrice24h\":")
        buffer.writeQuotedDecimal(market.low, fractionDigits: digits)
        buffer.writeStaticString(",\"turnover24h\":")
        buffer.writeQuotedDecimal(market.quoteVolume, fractionDigits: 8)
        buffer.writeStaticString(",\"volume24h\":")
        buffer.writeQuotedDecimal(market.baseVolume, fractionDigits: market.quantityDigits)
        buffer.writeStaticString(",\"usdIndexPrice\":")
        // Only pairs quoted in a dollar token carry a USD index price; others send "".
        if market.symbol.quote == "USDT" || market.symbol.quote == "USDC" {
            buffer.writeQuotedDecimal(market.price, fractionDigits: digits)
        } else {
            buffer.writeStaticString("\"\"")
        }
        buffer.writeStaticString("}")
    }

    /// `GET /v5/market/tickers?category=spot[&symbol=…]` body, one ticker per (code, market).
    static func writeRESTTickers(_ tickers: [(code: String, market: MarketState)], now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\"spot\",\"list\":")
        RESTRoutes.writeArray(tickers, into: &buffer) { ticker, buffer in
            writeTickerObject(ticker.code, market: ticker.market, withBook: true, into: &buffer)
        }
        buffer.writeStaticString("},\"retExtInfo\":{},\"time\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString("}")
    }

    /// A v5 REST error envelope (HTTP 200, non-zero `retCode`).
    static func writeRESTError(code: Int64, message: String, now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"retCode\":")
        buffer.writeDecimalInteger(code)
        buffer.writeStaticString(",\"retMsg\":")
        buffer.writeJSONString(message)
        buffer.writeStaticString(",\"result\":{},\"retExtInfo\":{},\"time\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString("}")
    }

    private static func reply(success: Bool, message: String, op: String, requestID: String?, session: SessionInfo) -> RequestOutcome {
        var buffer = ByteBuffer()
        buffer.writeStaticString(success ? "{\"success\":true,\"ret_msg\":" : "{\"success\":false,\"ret_msg\":")
        buffer.writeJSONString(message)
        buffer.writeStaticString(",\"conn_id\":")
        buffer.writeJSONString(session.connectionID)
        if let requestID {
            buffer.writeStaticString(",\"req_id\":")
            buffer.writeJSONString(requestID)
        }
        buffer.writeStaticString(",\"op\":")
        buffer.writeJSONString(op)
        buffer.writeStaticString("}")
        return RequestOutcome(replies: [buffer])
    }
}
