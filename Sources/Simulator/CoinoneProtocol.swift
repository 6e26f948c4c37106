import CoinfluxCore
import NIOCore
import NIOWebSocket

/// Coinone's public stream (the root of `stream.coinone.co.kr`).
///
/// Greets with `CONNECTED` and a `session_id`; one pair per
/// `{"request_type":"SUBSCRIBE","channel":"TICKER"|"TRADE"|"ORDERBOOK","topic":{…}}`, answered `SUBSCRIBED`;
/// bad requests get `{"response_type":"ERROR","error_code":…,"message":…}`. The client keeps
/// the connection with `{"request_type":"PING"}` → `{"response_type":"PONG"}`. Values are strings.
struct CoinoneProtocol: ExchangeProtocol {
    var exchange: Exchange { .coinone }
    var opcode: WebSocketOpcode { .text }

    /// The documented error code for a topic the server does not know; the simulator uses it
    /// for every rejected request.
    static let invalidTopicCode: Int64 = 160_012

    func greeting(_ session: SessionInfo) -> [ByteBuffer] {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"response_type\":\"CONNECTED\",\"data\":{\"session_id\":")
        buffer.writeJSONString(session.connectionID)
        buffer.writeStaticString("}}")
        return [buffer]
    }

    func handle(_ message: ByteBuffer, session: SessionInfo) -> RequestOutcome {
        guard let request = ClientMessage.json(message) as? [String: Any],
              let requestType = request["request_type"] as? String
        else { return Self.error("Invalid Request") }
        switch requestType {
        case "PING":
            return RequestOutcome(replies: [ByteBuffer(string: #"{"response_type":"PONG"}"#)], isKeepalivePing: true)
        case "SUBSCRIBE", "UNSUBSCRIBE":
            guard let channelName = request["channel"] as? String else { return Self.error("Invalid Channel") }
            let channel: StreamChannel
            switch channelName {
            case "TICKER": channel = .ticker
            case "TRADE": channel = .trade
            case "ORDERBOOK": channel = .book
            default: return Self.error("Invalid Channel")
            }
            if let format = request["format"] {
                guard (format as? String) == "DEFAULT" else { return Self.error("Invalid Format") }
            }
            guard let topic = request["topic"] as? [String: Any],
                  let quote = ClientMessage.asset(topic["quote_currency"]),
                  let target = ClientMessage.asset(topic["target_currency"])
            else { return Self.error("Invalid Topic") }
            let subscribing = requestType == "SUBSCRIBE"
            var buffer = ByteBuffer()
            buffer.writeStaticString(subscribing ? "{\"response_type\":\"SUBSCRIBED\",\"channel\":" : "{\"response_type\":\"UNSUBSCRIBED\",\"channel\":")
            buffer.writeJSONString(channelName)
            buffer.writeStaticString(",\"data\":{\"quote_currency\":")
            buffer.writeJSONString(quote)
            buffer.writeStaticString(",\"target_currency\":")
            buffer.writeJSONString(target)
            buffer.writeStaticString("}}")
            let subscriptions = [Subscription(
                channel: channel, symbol: Symbol(base: target, quote: quote), code: "\(target)-\(quote)",
                depth: channel == .book ? Self.bookDepth : 0
            )]
            return .subscribing(subscribing, subscriptions, replies: [buffer])
        default:
            return Self.error("Invalid Request Type")
        }
    }

    func writeTicker(_ subscription: Subscription, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"response_type\":\"DATA\",\"channel\":\"TICKER\",\"data\":")
        Self.writeTickerFields(market, timestamp: now, into: &buffer)
        buffer.writeStaticString(",\"ask_best_price\":")
        buffer.writeQuotedDecimal(market.bestAsk, fractionDigits: Self.priceDigits(market))
        buffer.writeStaticString(",\"ask_best_qty\":")
        buffer.writeQuotedDecimal(market.bestAskSize, fractionDigits: 8)
        buffer.writeStaticString(",\"bid_best_price\":")
        buffer.writeQuotedDecimal(market.bestBid, fractionDigits: Self.priceDigits(market))
        buffer.writeStaticString(",\"bid_best_qty\":")
        buffer.writeQuotedDecimal(market.bestBidSize, fractionDigits: 8)
        buffer.writeStaticString(",\"id\":\"")
        buffer.writeDecimalInteger(market.lastTrade.id)
        buffer.writeStaticString("\",\"yesterday_high\":")
        buffer.writeQuotedDecimal(market.high, fractionDigits: Self.priceDigits(market))
        buffer.writeStaticString(",\"yesterday_low\":")
        buffer.writeQuotedDecimal(market.low, fractionDigits: Self.priceDigits(market))
        buffer.writeStaticString(",\"yesterday_first\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: Self.priceDigits(market))
        buffer.writeStaticString(",\"yesterday_last\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: Self.priceDigits(market))
        buffer.writeStaticString(",\"yesterday_quote_volume\":")
        buffer.writeQuotedDecimal(market.quoteVolume, fractionDigits: 8)
        buffer.writeStaticString(",\"yesterday_target_volume\":")
        buffer.writeQuotedDecimal(market.baseVolume, fractionDigits: 8)
        buffer.writeStaticString("}}")
    }

    func writeTrade(_ subscription: Subscription, trade: SimulatedTrade, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"response_type\":\"DATA\",\"channel\":\"TRADE\",\"data\":{\"quote_currency\":\"")
        buffer.writeString(market.symbol.quote)
        buffer.writeStaticString("\",\"target_currency\":\"")
        buffer.writeString(market.symbol.base)
        buffer.writeStaticString("\",")
        Self.writeTradeFields(trade, market: market, into: &buffer)
        buffer.writeStaticString("}}")
    }

    func errorFrame(_ session: SessionInfo) -> ByteBuffer {
        Self.error("Simulated Server Error").replies[0]
    }

    func wrongTypeFrame() -> ByteBuffer {
        ByteBuffer(string: #"{"response_type":"DATA","channel":"TICKER","data":{"quote_currency":1,"target_currency":null,"timestamp":"now","last":{"v":"1"},"high":[],"id":7}}"#)
    }

    func keepalive(_ settings: SimulatorConfiguration.Keepalive) -> KeepalivePolicy {
        .applicationPing(timeout: settings.coinonePingTimeout)
    }

    /// `"id":…,"timestamp":…,"price":…,"qty":…,"is_seller_maker":…` of a trade, in the stream and
    /// in `GET /public/v2/trades`.
    static func writeTradeFields(_ trade: SimulatedTrade, market: MarketState, into buffer: inout ByteBuffer) {
        let style = TradeStyle.of(.coinone)
        buffer.writeStaticString("\"id\":")
        style.writeID(trade, quoted: true, into: &buffer)
        buffer.writeStaticString(",\"timestamp\":")
        buffer.writeDecimalInteger(trade.time)
        buffer.writeStaticString(",\"price\":")
        style.writePrice(trade, market: market, into: &buffer)
        buffer.writeStaticString(",\"qty\":")
        style.writeQuantity(trade, market: market, into: &buffer)
        // `is_seller_maker`: true when the taker bought.
        buffer.writeStaticString(trade.takerBought ? ",\"is_seller_maker\":true" : ",\"is_seller_maker\":false")
    }

    /// Coinone writes at least one fraction digit (`"3833000.0"`).
    private static func priceDigits(_ market: MarketState) -> Int {
        max(1, market.priceDigits)
    }

    /// Opens the ticker object and writes the fields shared by the stream and REST tickers.
    private static func writeTickerFields(_ market: MarketState, timestamp: Int64, into buffer: inout ByteBuffer) {
        let digits = priceDigits(market)
        buffer.writeStaticString("{\"quote_currency\":\"")
        buffer.writeString(market.symbol.quote)
        buffer.writeStaticString("\",\"target_currency\":\"")
        buffer.writeString(market.symbol.base)
        buffer.writeStaticString("\",\"timestamp\":")
        buffer.writeDecimalInteger(timestamp)
        buffer.writeStaticString(",\"high\":")
        buffer.writeQuotedDecimal(market.high, fractionDigits: digits)
        buffer.writeStaticString(",\"low\":")
        buffer.writeQuotedDecimal(market.low, fractionDigits: digits)
        buffer.writeStaticString(",\"first\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: digits)
        buffer.writeStaticString(",\"last\":")
        buffer.writeQuotedDecimal(market.price, fractionDigits: digits)
        buffer.writeStaticString(",\"quote_volume\":")
        buffer.writeQuotedDecimal(market.quoteVolume, fractionDigits: 8)
        buffer.writeStaticString(",\"target_volume\":")
        buffer.writeQuotedDecimal(market.baseVolume, fractionDigits: 8)
    }

    /// `GET /public/v2/ticker_new/{quote}[/{target}]` body, one ticker per market.
    static func writeRESTTickers(_ markets: [MarketState], now: Int64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"result\":\"success\",\"error_code\":\"0\",\"server_time\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString(",\"tickers\":")
        RESTRoutes.writeArray(markets, into: &buffer) { market, buffer in
            let digits = priceDigits(market)
            writeTickerFields(market, timestamp: market.lastTrade.time, into: &buffer)
            buffer.writeStaticString(",\"best_asks\":[{\"price\":")
            buffer.writeQuotedDecimal(market.bestAsk, fractionDigits: digits)
            buffer.writeStaticString(",\"qty\":")
            buffer.writeQuotedDecimal(market.bestAskSize, fractionDigits: 8)
            buffer.writeStaticString("}],\"best_bids\":[{\"price\":")
            buffer.writeQuotedDecimal(market.bestBid, fractionDigits: digits)
            buffer.writeStaticString(",\"qty\":")
            buffer.writeQuotedDecimal(market.bestBidSize, fractionDigits: 8)
            buffer.writeStaticString("}],\"id\":\"")
            buffer.writeDecimalInteger(market.lastTrade.id)
            buffer.writeStaticString("\"}")
        }
        buffer.writeStaticString("}")
    }

    private static func error(_ message: String) -> RequestOutcome {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"response_type\":\"ERROR\",\"error_code\":")
        buffer.writeDecimalInteger(invalidTopicCode)
        buffer.writeStaticString(",\"message\":")
        buffer.writeJSONString(message)
        buffer.writeStaticString("}")
        return RequestOutcome(replies: [buffer])
    }
}
