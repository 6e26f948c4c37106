import CoinfluxCore
import Foundation

/// Bybit v5 public spot stream (`wss://stream.bybit.com/v5/public/spot`).
///
/// - Subscribe: `{"req_id":"N","op":"subscribe","args":["tickers.BTCUSDT","publicTrade.BTCUSDT",…]}`
///   with at most 10 args per request; ack `{"success":true,"ret_msg":"subscribe","conn_id":…,"op":"subscribe",…}`,
///   failure `"success":false` with the reason in `ret_msg`.
/// - Keepalive: the client sends `{"op":"ping"}` every 20 s; the spot pong is
///   `{"success":true,"ret_msg":"pong","conn_id":…,"op":"ping"}`.
/// - Frames: `{"topic":"tickers.BTCUSDT","ts":ms,"type":"snapshot","cs":…,"data":{…}}` (one ticker,
///   no best bid/ask on spot) and `{"topic":"publicTrade.BTCUSDT","ts":ms,"type":"snapshot","data":[…]}`
///   (several trades per frame; `S` is the taker's side). Values are strings. Other topics are ignored.
/// - REST: `GET /v5/market/tickers?category=spot&symbol=BTCUSDT`; recent trades and the market list
///   in `BybitAdapter+TradeHistory.swift`.
public struct BybitAdapter: ExchangeAdapter {
    public init() {}

    public var exchange: Exchange { .bybit }
    public var defaultWebSocketURL: URL { Self.webSocketURL }
    public var defaultRESTURL: URL { Self.restURL }
    public var connectionPolicy: ConnectionPolicy { Self.policy }
    /// Bybit allows 600 requests per 5 s per IP across all of api.bybit.com: 20/s is a sixth.
    public var restRequestsPerSecond: Double { 20 }

    private static let webSocketURL = URL(string: "wss://stream.bybit.com/v5/public/spot")!
    private static let restURL = URL(string: "https://api.bybit.com")!
    private static let policy = ConnectionPolicy(
        clientPing: .text(#"{"op":"ping"}"#), pingInterval: .seconds(20), sendsWebSocketPings: false,
        maximumConnectionAge: nil, maximumTopicsPerRequest: 10,
        maximumStreamsPerConnection: .max
    )

    // MARK: Symbols and subscription

    /// `BTC-USDT` → `BTCUSDT`.
    public func exchangeSymbol(for symbol: Symbol) -> String {
        symbol.base + symbol.quote
    }

    public func symbol(forExchangeSymbol code: String) -> Symbol? {
        MarketCode.parsing(code, MarketCode.concatenated)
    }

    public func webSocketPath(for symbols: [Symbol]) -> String? { nil }

    public func subscriptionFrames(for symbols: [Symbol]) -> [OutgoingFrame] {
        requests("subscribe", topics: symbols.flatMap { symbol in
            let code = exchangeSymbol(for: symbol)
            return ["tickers." + code, "publicTrade." + code]
        })
    }

    /// `{"req_id":"N","op":operation,"args":[…]}` requests for `topics`, at most 10 args each.
    func requests(_ operation: String, topics: [String]) -> [OutgoingFrame] {
        let size = connectionPolicy.maximumTopicsPerRequest
        return stride(from: 0, to: topics.count, by: size).enumerated().map { index, start in
            let args = JSONText.array(topics[start..<min(start + size, topics.count)])
            return .text(#"{"req_id":"\#(index + 1)","op":"\#(operation)","args":\#(args)}"#)
        }
    }

    // MARK: WebSocket frames

    public func parse(frame: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) -> FrameKind {
        try FrameParsing.parse(frame, into: &events) { reader, events in
            guard let topic = try reader.stringMember(where: { $0 == "topic" }) else {
                return try Self.parseReply(&reader)
            }
            if topic.hasPrefix("tickers.") {
                events.append(try Self.parseTicker(&reader, receivedAt: receivedAt))
            } else if topic.hasPrefix("publicTrade.") {
                try Self.parseTrades(&reader, receivedAt: receivedAt, into: &events)
            } else {
                try reader.skipValue()
                return .ignored
            }
            return .data
        }
    }

    /// A `tickers.*` message: `data` is one ticker object, the time is `ts`.
    private static func parseTicker(_ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent {
        var ticker: Ticker?
        var time: Int64?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "data": ticker = try Ticker(&reader)
            case "ts": time = try reader.readInt64()
            default: break
            }
        }
        guard let ticker else { throw FrameError.missing("data") }
        guard let time else { throw FrameError.missing("ts") }
        return try ticker.event(timeMilliseconds: time, receivedAt: receivedAt)
    }

    /// A `publicTrade.*` message: `data` is an array of trades, each with its own time `T`.
    private static func parseTrades(_ reader: inout JSONReader, receivedAt: Int64, into events: inout [MarketEvent]) throws {
        var hasData = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard key == "data" else { continue }
            hasData = true
            try reader.beginArray()
            while try reader.nextElement() {
                events.append(try parseTrade(&reader, receivedAt: receivedAt))
            }
        }
        guard hasData else { throw FrameError.missing("data") }
    }

    private static func parseTrade(_ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent {
        var symbol: Symbol?
        var price: Double?
        var size: Double?
        var time: Int64?
        var tradeID: String?
        var side: MarketEvent.TakerSide?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "s": symbol = try readSymbol(&reader, field: "s")
            case "p": price = try reader.readDouble()
            case "v": size = try reader.readDouble()
            case "T": time = try reader.readInt64()
            case "i": tradeID = try reader.readStringOrNumber()
            case "S": side = try readSide(&reader, field: "S")
            default: break
            }
        }
        guard let symbol else { throw FrameError.missing("s") }
        guard let price else { throw FrameError.missing("p") }
        guard let size else { throw FrameError.missing("v") }
        guard let time else { throw FrameError.missing("T") }
        guard let tradeID else { throw FrameError.missing("i") }
        return tradeEvent(
            symbol: symbol, price: price, size: size, time: try FrameParsing.nanoseconds(milliseconds: time, field: "T"),
            id: tradeID, side: side, receivedAt: receivedAt
        )
    }

    /// A trade event, the same for a stream trade and a REST one (``BybitAdapter/parseRecentTrades(symbol:body:receivedAt:)``):
    /// the id is kept as text, and as the sequence when it is an integer.
    static func tradeEvent(
        symbol: Symbol, price: Double, size: Double, time: Int64, id: String, side: MarketEvent.TakerSide?, receivedAt: Int64
    ) -> MarketEvent {
        MarketEvent(
            kind: .trade, exchange: .bybit, symbol: symbol, price: price, size: size,
            eventTimeNanos: time, receiveTimeNanos: receivedAt,
            tradeID: id, sequence: Int64(id), side: side ?? .unknown
        )
    }

    /// The taker's side, `Buy` or `Sell`.
    static func readSide(_ reader: inout JSONReader, field: StaticString) throws -> MarketEvent.TakerSide {
        let view = try reader.readStringView()
        if view == "Buy" { return .buy }
        if view == "Sell" { return .sell }
        throw FrameError.invalid(field, view)
    }

    /// A reply to a request: subscription ack or failure, or the pong.
    private static func parseReply(_ reader: inout JSONReader) throws -> FrameKind {
        var success: Bool?
        var message = ""
        var operation: JSONReader.StringView?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "success": success = try reader.readBool()
            case "ret_msg": message = try reader.readString()
            case "op": operation = try reader.readStringView()
            default: break
            }
        }
        guard let success else { throw FrameError("neither a topic message nor a reply") }
        guard success else { return .exchangeError(message) }
        if let operation, operation == "ping" || operation == "pong" { return .pong }
        return .acknowledgement(message.isEmpty ? operation?.description ?? "" : message)
    }

    /// The members of a spot ticker object (stream `data`, or an element of the REST `list`).
    private struct Ticker {
        var symbol: Symbol?
        var lastPrice: Double?
        var previousPrice24h: Double?
        var high: Double?
        var low: Double?
        var volume: Double?
        var turnover: Double?
        var bid: Double?
        var bidSize: Double?
        var ask: Double?
        var askSize: Double?

        init(_ reader: inout JSONReader) throws {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "symbol": symbol = try readSymbol(&reader, field: "symbol")
                case "lastPrice": lastPrice = try reader.readDouble()
                case "prevPrice24h": previousPrice24h = try reader.readOptionalDouble()
                case "highPrice24h": high = try reader.readOptionalDouble()
                case "lowPrice24h": low = try reader.readOptionalDouble()
                case "volume24h": volume = try reader.readOptionalDouble()
                case "turnover24h": turnover = try reader.readOptionalDouble()
                case "bid1Price": bid = try reader.readOptionalDouble()
                case "bid1Size": bidSize = try reader.readOptionalDouble()
                case "ask1Price": ask = try reader.readOptionalDouble()
                case "ask1Size": askSize = try reader.readOptionalDouble()
                default: break
                }
            }
        }

        /// The ticker event; `prevPrice24h` (the price 24 h ago) is the 24 h open.
        func event(timeMilliseconds: Int64, receivedAt: Int64) throws -> MarketEvent {
            guard let symbol else { throw FrameError.missing("symbol") }
            guard let lastPrice else { throw FrameError.missing("lastPrice") }
            return MarketEvent(
                kind: .ticker, exchange: .bybit, symbol: symbol, price: lastPrice,
                bestBid: bid, bestBidSize: bidSize, bestAsk: ask, bestAskSize: askSize,
                open24h: previousPrice24h, high24h: high, low24h: low, volume24h: volume, quoteVolume24h: turnover,
                eventTimeNanos: try FrameParsing.nanoseconds(milliseconds: timeMilliseconds, field: "ts"),
                receiveTimeNanos: receivedAt
            )
        }
    }

    static func readSymbol(_ reader: inout JSONReader, field: StaticString) throws -> Symbol {
        let view = try reader.readStringView()
        guard let symbol = try MarketCode.decoded(view, MarketCode.concatenated) else { throw FrameError.invalid(field, view) }
        return symbol
    }

    // MARK: REST

    public func restTickerPaths(for symbols: [Symbol]) -> [String] {
        symbols.map { "/v5/market/tickers?category=spot&symbol=" + exchangeSymbol(for: $0) }
    }

    /// Parses `{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":…,"bid1Price":…,
    /// "bid1Size":…,"ask1Price":…,"ask1Size":…,"lastPrice":…,"prevPrice24h":…,"highPrice24h":…,
    /// "lowPrice24h":…,"turnover24h":…,"volume24h":…,…}]},"retExtInfo":{},"time":ms}`; a non-zero
    /// `retCode` throws.
    public func parseRESTTicker(path: String, body: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) {
        try FrameParsing.parseTickers(body, into: &events) { reader, events in
            var tickers: [Ticker] = []
            let time = try Self.parseEnvelope(&reader) { reader in tickers.append(try Ticker(&reader)) }
            guard let time else { throw FrameError.missing("time") }
            for ticker in tickers {
                events.append(try ticker.event(timeMilliseconds: time, receivedAt: receivedAt))
            }
        }
    }

    /// Reads the v5 REST envelope `{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[…]},
    /// "retExtInfo":{},"time":ms}`, handing each element of `result.list` to `element`.
    /// - Returns: `time`, when present.
    /// - Throws: the exchange's error for a non-zero `retCode`; `FrameError` for a reply without
    ///   `result.list` or of another category than `spot`.
    static func parseEnvelope(_ reader: inout JSONReader, element: (inout JSONReader) throws -> Void) throws -> Int64? {
        var code: Int64?
        var message = ""
        var hasList = false
        var time: Int64?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "retCode": code = try reader.readInt64()
            case "retMsg": message = try reader.readString()
            case "time": time = try reader.readInt64()
            case "result":
                try reader.beginObject()
                while let member = try reader.nextKey() {
                    if member == "category" {
                        let category = try reader.readStringView()
                        guard category == "spot" else { throw FrameError.invalid("category", category) }
                    } else if member == "list" {
                        hasList = true
                        try reader.beginArray()
                        while try reader.nextElement() {
                            try element(&reader)
                        }
                    }
                }
            default: break
            }
        }
        guard let code else { throw FrameError.missing("retCode") }
        guard code == 0 else { throw FrameError.exchangeReply("\(code): \(message)") }
        guard hasList else { throw FrameError.missing("result.list") }
        return time
    }
}
