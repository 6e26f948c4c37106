import CoinfluxCore
import Foundation

/// Binance spot market streams (`wss://stream.binance.com:9443/ws`).
///
/// - Subscribe: live `{"method":"SUBSCRIBE","params":["btcusdt@ticker","btcusdt@trade",…],"id":N}`,
///   all streams in as few requests as the 1024-streams limit allows (5 messages/s per connection);
///   ack `{"result":null,"id":N}`, error `{"code":…,"msg":…}`. One connection carries at most 1 024
///   streams (512 symbols); the collector spreads more symbols over several connections.
/// - Keepalive: the server pings every 20 s and the WebSocket layer answers; connections are cut
///   at 24 h, so they are replaced a little before.
/// - Frames: raw events, or the combined-stream wrapper `{"stream":…,"data":{…}}`. `24hrTicker`
///   and `trade` events become events; other event types are ignored. Prices are strings;
///   trade `m` (buyer is maker) true means the taker sold.
/// - REST: `GET /api/v3/ticker/24hr?symbol=BTCUSDT`, one object per symbol; recent trades and the
///   market list in `BinanceAdapter+TradeHistory.swift`.
public struct BinanceAdapter: ExchangeAdapter {
    public init() {}

    public var exchange: Exchange { .binance }
    public var defaultWebSocketURL: URL { Self.webSocketURL }
    public var defaultRESTURL: URL { Self.restURL }
    public var connectionPolicy: ConnectionPolicy { Self.policy }
    /// Binance allows 6 000 request weight per minute per IP; a one-symbol 24 h ticker weighs 2,
    /// so 10 requests/s use a fifth of it.
    public var restRequestsPerSecond: Double { 10 }

    private static let webSocketURL = URL(string: "wss://stream.binance.com:9443/ws")!
    private static let restURL = URL(string: "https://api.binance.com")!
    private static let policy = ConnectionPolicy(
        clientPing: nil, pingInterval: .seconds(20), sendsWebSocketPings: false,
        maximumConnectionAge: .seconds(23 * 3_600 + 45 * 60), maximumTopicsPerRequest: 1_024,
        maximumStreamsPerConnection: 1_024
    )

    // MARK: Symbols and subscription

    /// `BTC-USDT` → `btcusdt` (stream names are lower case; REST and frames use `BTCUSDT`).
    public func exchangeSymbol(for symbol: Symbol) -> String {
        (symbol.base + symbol.quote).lowercased()
    }

    public func symbol(forExchangeSymbol code: String) -> Symbol? {
        MarketCode.parsing(code, MarketCode.concatenated)
    }

    public func webSocketPath(for symbols: [Symbol]) -> String? { nil }

    public func subscriptionFrames(for symbols: [Symbol]) -> [OutgoingFrame] {
        subscribe(streams: symbols.flatMap { symbol in
            let code = exchangeSymbol(for: symbol)
            return [code + "@ticker", code + "@trade"]
        })
    }

    /// `SUBSCRIBE` requests for `streams`, as few as the per-request limit allows.
    func subscribe(streams: [String]) -> [OutgoingFrame] {
        let size = connectionPolicy.maximumTopicsPerRequest
        return stride(from: 0, to: streams.count, by: size).enumerated().map { index, start in
            let params = JSONText.array(streams[start..<min(start + size, streams.count)])
            return .text(#"{"method":"SUBSCRIBE","params":\#(params),"id":\#(index + 1)}"#)
        }
    }

    // MARK: WebSocket frames

    public func parse(frame: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) -> FrameKind {
        try FrameParsing.parse(frame, into: &events) { reader, events in
            if let type = try reader.stringMember(where: { $0 == "e" }) {
                return try Self.parseEvent(type, &reader, receivedAt: receivedAt, into: &events)
            }
            return try Self.parseEnvelope(&reader, receivedAt: receivedAt, into: &events)
        }
    }

    /// An event object whose `e` is `type`.
    private static func parseEvent(
        _ type: JSONReader.StringView, _ reader: inout JSONReader, receivedAt: Int64, into events: inout [MarketEvent]
    ) throws -> FrameKind {
        if type == "24hrTicker" {
            events.append(try Ticker(&reader).event(receivedAt: receivedAt))
        } else if type == "trade" {
            events.append(try Trade(&reader).event(receivedAt: receivedAt))
        } else {
            try reader.skipValue()
            return .ignored
        }
        return .data
    }

    /// A combined-stream wrapper, a subscription reply or an error.
    private static func parseEnvelope(_ reader: inout JSONReader, receivedAt: Int64, into events: inout [MarketEvent]) throws -> FrameKind {
        var data: FrameKind?
        var hasResult = false
        var id: String?
        var code: String?
        var message: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "data":
                guard let type = try reader.stringMember(where: { $0 == "e" }) else { throw FrameError.missing("data.e") }
                data = try parseEvent(type, &reader, receivedAt: receivedAt, into: &events)
            case "result": hasResult = true
            case "id": id = try reader.consumeNull() ? "null" : reader.readStringOrNumber()
            case "code": code = try reader.readStringOrNumber()
            case "msg": message = try reader.readString()
            default: break
            }
        }
        if let data { return data }
        if code != nil || message != nil { return .exchangeError("\(code ?? "?"): \(message ?? "")") }
        if hasResult { return .acknowledgement("id \(id ?? "null")") }
        throw FrameError("neither an event, a reply nor an error")
    }

    /// The members of a `24hrTicker` event (keys are case sensitive: `q` and `Q` differ), or of a
    /// REST ticker under its longer names.
    private struct Ticker {
        var eventTime: Int64?
        var symbol: Symbol?
        var lastPrice: Double?
        var lastQuantity: Double?
        var open: Double?
        var high: Double?
        var low: Double?
        var volume: Double?
        var quoteVolume: Double?
        var bid: Double?
        var bidSize: Double?
        var ask: Double?
        var askSize: Double?

        /// No members yet (the REST body names them differently).
        init() {}

        /// Reads an event object.
        init(_ reader: inout JSONReader) throws {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "E": eventTime = try reader.readInt64()
                case "s": symbol = try readSymbol(&reader)
                case "c": lastPrice = try reader.readDouble()
                case "Q": lastQuantity = try reader.readOptionalDouble()
                case "o": open = try reader.readOptionalDouble()
                case "h": high = try reader.readOptionalDouble()
                case "l": low = try reader.readOptionalDouble()
                case "v": volume = try reader.readOptionalDouble()
                case "q": quoteVolume = try reader.readOptionalDouble()
                case "b": bid = try reader.readOptionalDouble()
                case "B": bidSize = try reader.readOptionalDouble()
                case "a": ask = try reader.readOptionalDouble()
                case "A": askSize = try reader.readOptionalDouble()
                default: break
                }
            }
        }

        func event(receivedAt: Int64) throws -> MarketEvent {
            guard let symbol else { throw FrameError.missing("s") }
            guard let lastPrice else { throw FrameError.missing("c") }
            guard let eventTime else { throw FrameError.missing("E") }
            return MarketEvent(
                kind: .ticker, exchange: .binance, symbol: symbol, price: lastPrice, size: lastQuantity,
                bestBid: bid, bestBidSize: bidSize, bestAsk: ask, bestAskSize: askSize,
                open24h: open, high24h: high, low24h: low, volume24h: volume, quoteVolume24h: quoteVolume,
                eventTimeNanos: try FrameParsing.nanoseconds(milliseconds: eventTime, field: "E"), receiveTimeNanos: receivedAt
            )
        }
    }

    /// The members of a `trade` event; `m` (buyer is maker) true means the taker sold.
    struct Trade {
        var eventTime: Int64?
        var symbol: Symbol?
        var price: Double?
        var quantity: Double?
        var tradeID: (text: String, number: Int64?)?
        var tradeTime: Int64?
        var buyerIsMaker: Bool?

        init(_ reader: inout JSONReader) throws {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "E": eventTime = try reader.readInt64()
                case "s": symbol = try readSymbol(&reader)
                case "p": price = try reader.readDouble()
                case "q": quantity = try reader.readDouble()
                case "t": tradeID = try reader.readIdentifier()
                case "T": tradeTime = try reader.readInt64()
                case "m": buyerIsMaker = try reader.readBool()
                default: break
                }
            }
        }

        /// The trade; its time is `T`, else the event time `E`.
        func event(receivedAt: Int64) throws -> MarketEvent {
            guard let symbol else { throw FrameError.missing("s") }
            guard let price else { throw FrameError.missing("p") }
            guard let quantity else { throw FrameError.missing("q") }
            guard let tradeID else { throw FrameError.missing("t") }
            guard let time = tradeTime ?? eventTime else { throw FrameError.missing("T") }
            return try Trade.event(
                symbol: symbol, price: price, quantity: quantity, id: tradeID,
                time: FrameParsing.nanoseconds(milliseconds: time, field: "T"), buyerIsMaker: buyerIsMaker, receivedAt: receivedAt
            )
        }

        /// A trade event, the same for a stream `trade` and a REST trade (``BinanceAdapter/parseRecentTrades(symbol:body:receivedAt:)``):
        /// the id is the trade id and its sequence; `buyerIsMaker` true means the taker sold, nil unknown.
        static func event(
            symbol: Symbol, price: Double, quantity: Double, id: (text: String, number: Int64?),
            time: Int64, buyerIsMaker: Bool?, receivedAt: Int64
        ) -> MarketEvent {
            MarketEvent(
                kind: .trade, exchange: .binance, symbol: symbol, price: price, size: quantity,
                eventTimeNanos: time, receiveTimeNanos: receivedAt,
                tradeID: id.text, sequence: id.number,
                side: buyerIsMaker.map { $0 ? .sell : .buy } ?? .unknown
            )
        }
    }

    static func readSymbol(_ reader: inout JSONReader) throws -> Symbol {
        let view = try reader.readStringView()
        guard let symbol = try MarketCode.decoded(view, MarketCode.concatenated) else { throw FrameError.invalid("s", view) }
        return symbol
    }

    // MARK: REST

    public func restTickerPaths(for symbols: [Symbol]) -> [String] {
        symbols.map { "/api/v3/ticker/24hr?symbol=" + exchangeSymbol(for: $0).uppercased() }
    }

    /// Parses `{"symbol":"BTCUSDT","lastPrice":"…","lastQty":"…","bidPrice":…,"bidQty":…,"askPrice":…,
    /// "askQty":…,"openPrice":…,"highPrice":…,"lowPrice":…,"volume":…,"quoteVolume":…,"closeTime":ms,…}`;
    /// an error body `{"code":-1121,"msg":"Invalid symbol."}` throws.
    public func parseRESTTicker(path: String, body: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) {
        try FrameParsing.parseTickers(body, into: &events) { reader, events in
            var fields = Ticker()
            var code: String?
            var message: String?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "symbol": fields.symbol = try Self.readSymbol(&reader)
                case "lastPrice": fields.lastPrice = try reader.readDouble()
                case "lastQty": fields.lastQuantity = try reader.readOptionalDouble()
                case "bidPrice": fields.bid = try reader.readOptionalDouble()
                case "bidQty": fields.bidSize = try reader.readOptionalDouble()
                case "askPrice": fields.ask = try reader.readOptionalDouble()
                case "askQty": fields.askSize = try reader.readOptionalDouble()
                case "openPrice": fields.open = try reader.readOptionalDouble()
                case "highPrice": fields.high = try reader.readOptionalDouble()
                case "lowPrice": fields.low = try reader.readOptionalDouble()
                case "volume": fields.volume = try reader.readOptionalDouble()
                case "quoteVolume": fields.quoteVolume = try reader.readOptionalDouble()
                case "closeTime": fields.eventTime = try reader.readInt64()
                case "code": code = try reader.readStringOrNumber()
                case "msg": message = try reader.readString()
                default: break
                }
            }
            try Self.throwReply(code: code, message: message)
            events.append(try fields.event(receivedAt: receivedAt))
        }
    }

    /// Throws the exchange's error when a REST body carries one (`{"code":-1121,"msg":"Invalid symbol."}`).
    static func throwReply(code: String?, message: String?) throws(FrameError) {
        if code != nil || message != nil { throw FrameError.exchangeReply("\(code ?? "?"): \(message ?? "")") }
    }
}
