import CoinfluxCore
import Foundation
import NIOCore
import NIOWebSocket

/// Binance spot market streams: raw `/ws` (optionally `/ws/<stream>`) and combined
/// `/stream?streams=a/b`, whose frames are wrapped as `{"stream":…,"data":…}`.
///
/// Live `SUBSCRIBE`/`UNSUBSCRIBE`/`LIST_SUBSCRIPTIONS` requests are answered with
/// `{"result":…,"id":N}`; bad requests with `{"code":…,"msg":…}`, and so is a `SUBSCRIBE` that
/// would take the connection beyond `streamLimit` streams (nothing of it is subscribed then).
/// The server pings.
struct BinanceProtocol: ExchangeProtocol {
    /// True on `/stream`: data frames carry the combined-stream wrapper.
    let combined: Bool
    /// Most streams one connection may hold (``SimulatorConfiguration/binanceStreamsPerConnection``).
    let streamLimit: Int

    var exchange: Exchange { .binance }
    var opcode: WebSocketOpcode { .text }

    /// How a stream name is understood.
    enum StreamName: Equatable {
        /// A simulated stream: `<symbol>@ticker`, `<symbol>@trade`, `<symbol>@depth@100ms` or `<symbol>@depth`.
        case simulated(Subscription)
        /// Well formed but not simulated (`@depth5`, `@aggTrade`, …): acknowledged, sends nothing.
        case quiet(String)
        case invalid
    }

    /// Parses `btcusdt@ticker`; stream names are lower case.
    static func parse(stream name: String) -> StreamName {
        let parts = name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, name.count <= 64,
              parts[0].utf8.allSatisfy({ ClientMessage.isAlphanumeric($0) && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
        else { return .invalid }
        guard let symbol = Symbol.splitting(concatenated: String(parts[0])) else { return .quiet(name) }
        let code = String(parts[0]).uppercased()
        switch parts[1] {
        case "ticker": return .simulated(Subscription(channel: .ticker, symbol: symbol, code: code, name: name))
        case "trade": return .simulated(Subscription(channel: .trade, symbol: symbol, code: code, name: name))
        case "depth@100ms": return .simulated(Subscription(channel: .book, symbol: symbol, code: code, name: name))
        case "depth": return .simulated(Subscription(channel: .book, symbol: symbol, code: code, name: name, onceASecond: true))
        default: return .quiet(name)
        }
    }

    func greeting(_ session: SessionInfo) -> [ByteBuffer] { [] }

    func handle(_ message: ByteBuffer, session: SessionInfo) -> RequestOutcome {
        guard let object = ClientMessage.json(message) else {
            return Self.error(code: 3, message: "Invalid JSON: expected value at line 1 column 1", id: nil)
        }
        guard let request = object as? [String: Any] else {
            return Self.error(code: 2, message: "Invalid request: expected an object", id: nil)
        }
        guard let id = Self.requestID(request["id"]) else {
            return Self.error(code: 2, message: "Invalid request: request ID must be an unsigned integer", id: nil)
        }
        guard let method = request["method"] as? String else {
            return Self.error(code: 2, message: "Invalid request: missing field `method`", id: id)
        }
        switch method {
        case "SUBSCRIBE", "UNSUBSCRIBE":
            guard let params = request["params"] as? [Any], !params.isEmpty, params.count <= 1_024 else {
                return Self.error(code: 2, message: "Invalid request: missing or empty `params`", id: id)
            }
            var simulated: [Subscription] = []
            for param in params {
                guard let name = param as? String else {
                    return Self.error(code: 1, message: "Invalid value type: expected string", id: id)
                }
                switch Self.parse(stream: name) {
                case .simulated(let subscription): simulated.append(subscription)
                case .quiet: break
                case .invalid: return Self.error(code: 2, message: "Invalid request: invalid stream name \(name)", id: id)
                }
            }
            if method == "SUBSCRIBE" {
                let added = Set(simulated.map(\.name)).subtracting(session.subscriptions.map(\.name))
                guard session.subscriptions.count + added.count <= streamLimit else {
                    return Self.error(code: 2, message: "Invalid request: more than \(streamLimit) streams on one connection", id: id)
                }
            }
            return .subscribing(method == "SUBSCRIBE", simulated, replies: [Self.result(nil, id: id)])
        case "LIST_SUBSCRIPTIONS":
            return RequestOutcome(replies: [Self.result(session.subscriptions.map(\.name), id: id)])
        default:
            return Self.error(
                code: 2,
                message: "Invalid request: unknown variant \(method), expected one of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS",
                id: id
            )
        }
    }

    func writeTrade(_ subscription: Subscription, trade: SimulatedTrade, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        wrapped(subscription, into: &buffer) { Self.writeTrade(subscription.code, trade: trade, market: market, now: now, into: &$0) }
    }

    func writeTicker(_ subscription: Subscription, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        wrapped(subscription, into: &buffer) { Self.writeTicker(subscription.code, market: market, now: now, form: .stream, into: &$0) }
    }

    /// Writes `body`, inside the combined-stream wrapper on `/stream`.
    func wrapped(_ subscription: Subscription, into buffer: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void) {
        if combined {
            buffer.writeStaticString("{\"stream\":")
            buffer.writeJSONString(subscription.name)
            buffer.writeStaticString(",\"data\":")
        }
        body(&buffer)
        if combined {
            buffer.writeStaticString("}")
        }
    }

    func errorFrame(_ session: SessionInfo) -> ByteBuffer {
        ByteBuffer(string: #"{"code":2,"msg":"Invalid request: simulated server error"}"#)
    }

    func wrongTypeFrame() -> ByteBuffer {
        ByteBuffer(string: #"{"e":"24hrTicker","E":"soon","s":42,"c":{"price":1},"Q":null,"o":true,"h":[],"l":"","v":"NaN","n":"many"}"#)
    }

    func keepalive(_ settings: SimulatorConfiguration.Keepalive) -> KeepalivePolicy {
        .serverPing(interval: settings.binancePingInterval, pongTimeout: settings.binancePongTimeout)
    }

    // MARK: Frames

    static let priceDigits = 8

    /// The two spellings of the 24-hour ticker: the stream's `24hrTicker` event (one-letter keys)
    /// and the `GET /api/v3/ticker/24hr` body (long keys, no event type or time). Both carry the
    /// same values in the same order, so one writer serves both.
    enum TickerForm {
        case stream
        case rest
    }

    static func writeTicker(_ code: String, market: MarketState, now: Int64, form: TickerForm, into buffer: inout ByteBuffer) {
        let rest = form == .rest
        func key(_ stream: StaticString, _ long: StaticString) {
            buffer.writeStaticString(rest ? long : stream)
        }
        func decimal(_ stream: StaticString, _ long: StaticString, _ value: Double, digits: Int = priceDigits) {
            key(stream, long)
            buffer.writeQuotedDecimal(value, fractionDigits: digits)
        }
        func integer(_ stream: StaticString, _ long: StaticString, _ value: Int64) {
            key(stream, long)
            buffer.writeDecimalInteger(value)
        }
        let trade = market.lastTrade
        if rest {
            buffer.writeStaticString("{\"symbol\":\"")
        } else {
            buffer.writeStaticString("{\"e\":\"24hrTicker\",\"E\":")
            buffer.writeDecimalInteger(now)
            buffer.writeStaticString(",\"s\":\"")
        }
        buffer.writeString(code)
        decimal("\",\"p\":", "\",\"priceChange\":", market.change)
        decimal(",\"P\":", ",\"priceChangePercent\":", market.changeRate * 100, digits: 3)
        decimal(",\"w\":", ",\"weightedAvgPrice\":", market.quoteVolume / market.baseVolume)
        decimal(",\"x\":", ",\"prevClosePrice\":", market.open)
        decimal(",\"c\":", ",\"lastPrice\":", trade.price)
        decimal(",\"Q\":", ",\"lastQty\":", trade.quantity)
        decimal(",\"b\":", ",\"bidPrice\":", market.bestBid)
        decimal(",\"B\":", ",\"bidQty\":", market.bestBidSize)
        decimal(",\"a\":", ",\"askPrice\":", market.bestAsk)
        decimal(",\"A\":", ",\"askQty\":", market.bestAskSize)
        decimal(",\"o\":", ",\"openPrice\":", market.open)
        decimal(",\"h\":", ",\"highPrice\":", market.high)
        decimal(",\"l\":", ",\"lowPrice\":", market.low)
        decimal(",\"v\":", ",\"volume\":", market.baseVolume)
        decimal(",\"q\":", ",\"quoteVolume\":", market.quoteVolume)
        integer(",\"O\":", ",\"openTime\":", now - 86_400_000)
        integer(",\"C\":", ",\"closeTime\":", now)
        integer(",\"F\":", ",\"firstId\":", trade.id - market.tradeCount + 1)
        integer(",\"L\":", ",\"lastId\":", trade.id)
        integer(",\"n\":", ",\"count\":", market.tradeCount)
        buffer.writeStaticString("}")
    }

    static func writeTrade(_ code: String, trade: SimulatedTrade, market: MarketState, now: Int64, into buffer: inout ByteBuffer) {
        let style = TradeStyle.of(.binance)
        buffer.writeStaticString("{\"e\":\"trade\",\"E\":")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString(",\"s\":\"")
        buffer.writeString(code)
        buffer.writeStaticString("\",\"t\":")
        buffer.writeDecimalInteger(trade.id)
        buffer.writeStaticString(",\"p\":")
        style.writePrice(trade, market: market, into: &buffer)
        buffer.writeStaticString(",\"q\":")
        style.writeQuantity(trade, market: market, into: &buffer)
        buffer.writeStaticString(",\"T\":")
        buffer.writeDecimalInteger(trade.time)
        // `m`: buyer is maker, so true when the taker sold.
        buffer.writeStaticString(trade.takerBought ? ",\"m\":false,\"M\":true}" : ",\"m\":true,\"M\":true}")
    }

    // MARK: Replies

    /// The request id echoed in replies: an unsigned integer, a string, or absent/null.
    enum RequestID {
        case number(Int64)
        case text(String)
        case null
    }

    private static func requestID(_ value: Any?) -> RequestID? {
        switch value {
        case nil, is NSNull: return .null
        case let text as String: return .text(text)
        case let number as NSNumber:
            guard let exact = Int64(exactly: number.doubleValue), exact >= 0 else { return nil }
            return .number(exact)
        default: return nil
        }
    }

    private static func writeID(_ id: RequestID, into buffer: inout ByteBuffer) {
        switch id {
        case .number(let number): buffer.writeDecimalInteger(number)
        case .text(let text): buffer.writeJSONString(text)
        case .null: buffer.writeStaticString("null")
        }
    }

    private static func result(_ streams: [String]?, id: RequestID) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"result\":")
        if let streams {
            buffer.writeStaticString("[")
            for (index, stream) in streams.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                buffer.writeJSONString(stream)
            }
            buffer.writeStaticString("]")
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(",\"id\":")
        writeID(id, into: &buffer)
        buffer.writeStaticString("}")
        return buffer
    }

    private static func error(code: Int64, message: String, id: RequestID?) -> RequestOutcome {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"code\":")
        buffer.writeDecimalInteger(code)
        buffer.writeStaticString(",\"msg\":")
        buffer.writeJSONString(message)
        if let id {
            buffer.writeStaticString(",\"id\":")
            writeID(id, into: &buffer)
        }
        buffer.writeStaticString("}")
        return RequestOutcome(replies: [buffer])
    }
}
