import CoinfluxCore
import NIOCore
import NIOWebSocket

/// Upbit's WebSocket API (`/websocket/v1`) and Bithumb's Upbit-compatible v1 API.
///
/// A request is one JSON array `[{"ticket":…},{"type":"ticker","codes":[…]},{"format":"DEFAULT"}]`
/// (types `ticker`, `trade`, `orderbook` with codes such as `KRW-BTC.15`)
/// that replaces the connection's subscriptions; no ack is sent. Every server frame is
/// **binary**; numbers are JSON numbers with trailing zeros. Text `PING` is answered
/// `{"status":"UP"}`. The Bithumb dialect sends `sequential_id` as a string, KST
/// `trade_date`/`trade_time` and an empty `delisting_date`.
struct UpbitProtocol: ExchangeProtocol {
    /// Which of the two compatible APIs.
    enum Dialect: Sendable {
        case upbit
        case bithumb
    }

    let dialect: Dialect

    var exchange: Exchange { dialect == .upbit ? .upbit : .bithumb }
    var opcode: WebSocketOpcode { .binary }

    func greeting(_ session: SessionInfo) -> [ByteBuffer] { [] }

    func handle(_ message: ByteBuffer, session: SessionInfo) -> RequestOutcome {
        if ClientMessage.text(message) == "PING" {
            return RequestOutcome(replies: [ByteBuffer(string: #"{"status":"UP"}"#)], isKeepalivePing: true)
        }
        guard let elements = ClientMessage.json(message) as? [Any] else {
            return Self.error("WRONG_FORMAT", "Requested using wrong format")
        }
        var hasTicket = false
        var requests: [(type: String, codes: [Any], onlySnapshot: Bool, onlyRealtime: Bool)] = []
        for element in elements {
            guard let field = element as? [String: Any] else {
                return Self.error("WRONG_FORMAT", "Requested using wrong format")
            }
            if let ticket = field["ticket"] {
                guard let text = ticket as? String, !text.isEmpty else {
                    return Self.error("NO_TICKET", "Ticket field must be contained.")
                }
                hasTicket = true
            } else if let format = field["format"] {
                guard let text = format as? String, text == "DEFAULT" else {
                    return Self.error("INVALID_PARAM", "format \(format) is not supported.")
                }
            } else if let type = field["type"] {
                guard let typeName = type as? String else {
                    return Self.error("NO_TYPE", "type field not exists.")
                }
                guard let codes = field["codes"] else {
                    return Self.error("NO_CODES", "codes field not exists.")
                }
                guard let list = codes as? [Any], !list.isEmpty else {
                    return Self.error("INVALID_PARAM", "codes field is empty.")
                }
                requests.append((
                    typeName, list,
                    (field["is_only_snapshot"] as? Bool) ?? false,
                    (field["is_only_realtime"] as? Bool) ?? false
                ))
            } else {
                return Self.error("WRONG_FORMAT", "Requested using wrong format")
            }
        }
        guard hasTicket else { return Self.error("NO_TICKET", "Ticket field must be contained.") }
        guard !requests.isEmpty else { return Self.error("NO_TYPE", "type field not exists.") }

        var subscriptions: [Subscription] = []
        for request in requests {
            let channel: StreamChannel
            switch request.type {
            case "ticker": channel = .ticker
            case "trade": channel = .trade
            case "orderbook": channel = .book
            default: return Self.error("INVALID_PARAM", "type \(request.type) is not supported.")
            }
            for case let text as String in request.codes {
                let (code, units) = channel == .book ? bookCode(text) : (code: text, units: 0)
                guard let symbol = Symbol.parsing(quoteDashBase: code) else { continue }
                subscriptions.append(Subscription(
                    channel: channel, symbol: symbol, code: code,
                    snapshot: !request.onlyRealtime, realtime: !request.onlySnapshot, depth: units
                ))
            }
        }
        return RequestOutcome(update: .replace(subscriptions), subscribeRequests: 1)
    }

    func errorFrame(_ session: SessionInfo) -> ByteBuffer {
        ByteBuffer(string: #"{"error":{"name":"WRONG_FORMAT","message":"Requested using wrong format"}}"#)
    }

    func wrongTypeFrame() -> ByteBuffer {
        ByteBuffer(string: #"{"type":"ticker","code":["KRW-BTC"],"trade_price":"a lot","trade_volume":{},"timestamp":"now","trade_timestamp":null,"change":7}"#)
    }

    func keepalive(_ settings: SimulatorConfiguration.Keepalive) -> KeepalivePolicy {
        .idle(timeout: dialect == .upbit ? settings.upbitIdleTimeout : settings.bithumbIdleTimeout)
    }

    // MARK: Frames

    private static let digits = 8

    /// UTC for Upbit, KST for Bithumb's WebSocket `trade_date`/`trade_time`.
    private var streamOffsetHours: Int { dialect == .upbit ? 0 : CivilTime.koreaOffsetHours }

    func writeTicker(_ subscription: Subscription, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        let code = subscription.code
        let trade = market.lastTrade
        buffer.writeStaticString("{\"type\":\"ticker\",\"code\":\"")
        buffer.writeString(code)
        buffer.writeStaticString("\"")
        Self.writePriceFields(market, into: &buffer)
        buffer.writeStaticString(",\"acc_trade_volume_24h\":")
        buffer.writeDecimal(market.baseVolume, fractionDigits: Self.digits)
        buffer.writeStaticString(",\"acc_trade_price_24h\":")
        buffer.writeDecimal(market.quoteVolume, fractionDigits: Self.digits)
        writeTradeTime(trade, into: &buffer)
        buffer.writeStaticString(",\"timestamp\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString(dialect == .upbit ? ",\"delisting_date\":null" : ",\"delisting_date\":\"\"")
        buffer.writeStaticString(snapshot ? ",\"stream_type\":\"SNAPSHOT\"}" : ",\"stream_type\":\"REALTIME\"}")
    }

    func writeTrade(_ subscription: Subscription, trade: SimulatedTrade, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        let code = subscription.code
        let style = TradeStyle.of(exchange)
        buffer.writeStaticString("{\"type\":\"trade\",\"code\":\"")
        buffer.writeString(code)
        buffer.writeStaticString("\",\"timestamp\":")
        buffer.writeDecimalInteger(now)
        writeTradeTime(trade, into: &buffer)
        buffer.writeStaticString(",\"trade_price\":")
        style.writePrice(trade, market: market, into: &buffer)
        buffer.writeStaticString(",\"trade_volume\":")
        style.writeQuantity(trade, market: market, into: &buffer)
        // `ask_bid`: ASK when the taker sold, BID when the taker bought.
        buffer.writeStaticString(trade.takerBought ? ",\"ask_bid\":\"BID\"" : ",\"ask_bid\":\"ASK\"")
        buffer.writeStaticString(",\"sequential_id\":")
        style.writeID(trade, quoted: style.idIsString, into: &buffer)
        buffer.writeStaticString(",\"best_ask_price\":")
        buffer.writeDecimal(market.bestAsk, fractionDigits: Self.digits)
        buffer.writeStaticString(",\"best_ask_size\":")
        buffer.writeDecimal(market.bestAskSize, fractionDigits: Self.digits)
        buffer.writeStaticString(",\"best_bid_price\":")
        buffer.writeDecimal(market.bestBid, fractionDigits: Self.digits)
        buffer.writeStaticString(",\"best_bid_size\":")
        buffer.writeDecimal(market.bestBidSize, fractionDigits: Self.digits)
        buffer.writeStaticString(snapshot ? ",\"stream_type\":\"SNAPSHOT\"}" : ",\"stream_type\":\"REALTIME\"}")
    }

    /// `,"trade_date":"yyyyMMdd","trade_time":"HHmmss","trade_timestamp":…` of `trade`, in the
    /// stream's zone: the same three fields in the stream's ticker and trade frames.
    private func writeTradeTime(_ trade: SimulatedTrade, into buffer: inout ByteBuffer) {
        let time = CivilTime(epochMilliseconds: trade.time, offsetHours: streamOffsetHours)
        buffer.writeStaticString(",\"trade_date\":\"")
        buffer.writeCompactDate(time)
        buffer.writeStaticString("\",\"trade_time\":\"")
        buffer.writeCompactTime(time)
        buffer.writeStaticString("\",\"trade_timestamp\":")
        buffer.writeDecimalInteger(trade.time)
    }

    /// `opening_price` … `prev_closing_price`, the change fields and `trade_volume`: the price
    /// fields of the stream and REST tickers, with the same keys in the same order.
    private static func writePriceFields(_ market: MarketState, into buffer: inout ByteBuffer) {
        let trade = market.lastTrade
        buffer.writeStaticString(",\"opening_price\":")
        buffer.writeDecimal(market.open, fractionDigits: digits)
        buffer.writeStaticString(",\"high_price\":")
        buffer.writeDecimal(market.high, fractionDigits: digits)
        buffer.writeStaticString(",\"low_price\":")
        buffer.writeDecimal(market.low, fractionDigits: digits)
        buffer.writeStaticString(",\"trade_price\":")
        buffer.writeDecimal(trade.price, fractionDigits: digits)
        buffer.writeStaticString(",\"prev_closing_price\":")
        buffer.writeDecimal(market.open, fractionDigits: digits)
        let change = market.change
        if change > 0 {
            buffer.writeStaticString(",\"change\":\"RISE\"")
        } else if change < 0 {
            buffer.writeStaticString(",\"change\":\"FALL\"")
        } else {
            buffer.writeStaticString(",\"change\":\"EVEN\"")
        }
        buffer.writeStaticString(",\"change_price\":")
        buffer.writeDecimal(change.magnitude, fractionDigits: digits)
        buffer.writeStaticString(",\"change_rate\":")
        buffer.writeDecimal(market.changeRate.magnitude, fractionDigits: digits)
        buffer.writeStaticString(",\"signed_change_price\":")
        buffer.writeDecimal(change, fractionDigits: digits)
        buffer.writeStaticString(",\"signed_change_rate\":")
        buffer.writeDecimal(market.changeRate, fractionDigits: digits)
        buffer.writeStaticString(",\"trade_volume\":")
        buffer.writeDecimal(trade.quantity, fractionDigits: digits)
    }

    /// One element of the `GET /v1/ticker?markets=…` array (same shape on both APIs:
    /// `trade_date`/`trade_time` in UTC plus `_kst` variants).
    static func writeRESTTicker(_ code: String, market: MarketState, now: Int64, into buffer: inout ByteBuffer) {
        let trade = market.lastTrade
        let utc = CivilTime(epochMilliseconds: trade.time, offsetHours: 0)
        let kst = CivilTime(epochMilliseconds: trade.time, offsetHours: CivilTime.koreaOffsetHours)
        buffer.writeStaticString("{\"market\":\"")
        buffer.writeString(code)
        buffer.writeStaticString("\",\"trade_date\":\"")
        buffer.writeCompactDate(utc)
        buffer.writeStaticString("\",\"trade_time\":\"")
        buffer.writeCompactTime(utc)
        buffer.writeStaticString("\",\"trade_date_kst\":\"")
        buffer.writeCompactDate(kst)
        buffer.writeStaticString("\",\"trade_time_kst\":\"")
        buffer.writeCompactTime(kst)
        buffer.writeStaticString("\",\"trade_timestamp\":")
        buffer.writeDecimalInteger(trade.time)
        writePriceFields(market, into: &buffer)
        buffer.writeStaticString(",\"acc_trade_price\":")
        buffer.writeDecimal(market.quoteVolume, fractionDigits: digits)
        buffer.writeStaticString(",\"acc_trade_price_24h\":")
        buffer.writeDecimal(market.quoteVolume, fractionDigits: digits)
        buffer.writeStaticString(",\"acc_trade_volume\":")
        buffer.writeDecimal(market.baseVolume, fractionDigits: digits)
        buffer.writeStaticString(",\"acc_trade_volume_24h\":")
        buffer.writeDecimal(market.baseVolume, fractionDigits: digits)
        buffer.writeStaticString(",\"timestamp\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString("}")
    }

    private static func error(_ name: String, _ message: String) -> RequestOutcome {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"error\":{\"name\":")
        buffer.writeJSONString(name)
        buffer.writeStaticString(",\"message\":")
        buffer.writeJSONString(message)
        buffer.writeStaticString("}}")
        return RequestOutcome(replies: [buffer])
    }
}
