import CoinfluxCore
import Foundation

/// Coinone's public stream (`wss://stream.coinone.co.kr`).
///
/// - Subscribe: one request per pair and channel,
///   `{"request_type":"SUBSCRIBE","channel":"TICKER","topic":{"quote_currency":"KRW","target_currency":"BTC"}}`
///   (and `TRADE`), in the DEFAULT format; answered `{"response_type":"SUBSCRIBED",…}`. The
///   connection opens with `{"response_type":"CONNECTED","data":{"session_id":…}}`.
/// - Keepalive: the client sends `{"request_type":"PING"}`, answered `{"response_type":"PONG"}`;
///   the server closes a connection 30 min after the last ping.
/// - Frames: `{"response_type":"DATA","channel":"TICKER"|"TRADE","data":{…}}`, or the SHORT
///   format's `{"r":"DATA","c":…,"d":{…}}` with abbreviated data keys. Values are strings; best
///   prices may be null. Trade `is_seller_maker` true means the taker bought. Errors:
///   `{"response_type":"ERROR","error_code":…,"message":…}`. Other channels are ignored.
/// - REST: `GET /public/v2/ticker_new/KRW/BTC`; recent trades and the market list in
///   `CoinoneAdapter+TradeHistory.swift`.
public struct CoinoneAdapter: ExchangeAdapter {
    public init() {}

    public var exchange: Exchange { .coinone }
    public var defaultWebSocketURL: URL { Self.webSocketURL }
    public var defaultRESTURL: URL { Self.restURL }
    public var connectionPolicy: ConnectionPolicy { Self.policy }
    /// Coinone's public limit is not in the protocol notes this adapter follows: a conservative 5/s.
    public var restRequestsPerSecond: Double { 5 }

    private static let webSocketURL = URL(string: "wss://stream.coinone.co.kr")!
    private static let restURL = URL(string: "https://api.coinone.co.kr")!
    /// Pings far more often than the 30 min limit needs, so quiet pairs still show a live socket.
    private static let policy = ConnectionPolicy(
        clientPing: .text(#"{"request_type":"PING"}"#), pingInterval: .seconds(20), sendsWebSocketPings: false,
        maximumConnectionAge: nil, maximumTopicsPerRequest: 1,
        maximumStreamsPerConnection: .max
    )

    // MARK: Symbols and subscription

    /// `BTC-KRW` → `KRW/BTC` (quote currency, then target currency).
    public func exchangeSymbol(for symbol: Symbol) -> String {
        symbol.quote + "/" + symbol.base
    }

    public func symbol(forExchangeSymbol code: String) -> Symbol? {
        MarketCode.parsing(code, MarketCode.quoteSlashBase)
    }

    public func webSocketPath(for symbols: [Symbol]) -> String? { nil }

    public func subscriptionFrames(for symbols: [Symbol]) -> [OutgoingFrame] {
        requests("SUBSCRIBE", channels: ["TICKER", "TRADE"], symbols: symbols)
    }

    /// One `request_type` request per pair and channel.
    func requests(_ requestType: String, channels: [String], symbols: [Symbol]) -> [OutgoingFrame] {
        symbols.flatMap { symbol in
            let topic = #"{"quote_currency":\#(JSONText.quoted(symbol.quote)),"target_currency":\#(JSONText.quoted(symbol.base))}"#
            return channels.map { channel in
                OutgoingFrame.text(#"{"request_type":"\#(requestType)","channel":"\#(channel)","topic":\#(topic)}"#)
            }
        }
    }

    // MARK: WebSocket frames

    public func parse(frame: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) -> FrameKind {
        try FrameParsing.parse(frame, into: &events) { reader, events in
            guard let type = try reader.stringMember(where: { $0 == "response_type" || $0 == "r" }) else {
                throw FrameError.missing("response_type")
            }
            let channel = try reader.stringMember(where: { $0 == "channel" || $0 == "c" })
            if type == "DATA" {
                guard let channel else { throw FrameError.missing("channel") }
                let kind: MarketEvent.Kind
                if channel == "TICKER" {
                    kind = .ticker
                } else if channel == "TRADE" {
                    kind = .trade
                } else {
                    try reader.skipValue()
                    return .ignored
                }
                events.append(try Self.parseData(kind, &reader, receivedAt: receivedAt))
                return .data
            }
            if type == "ERROR" { return try Self.parseError(&reader) }
            let text = [type.description, channel?.description].compactMap { $0 }.joined(separator: " ")
            try reader.skipValue()
            if type == "PONG" { return .pong }
            if type == "CONNECTED" || type == "SUBSCRIBED" || type == "UNSUBSCRIBED" { return .acknowledgement(text) }
            return .ignored
        }
    }

    /// A DATA message of `kind`: its `data` (or SHORT `d`) object.
    private static func parseData(_ kind: MarketEvent.Kind, _ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent {
        var fields: Fields?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "data" || key == "d" { fields = try Fields(&reader) }
        }
        guard let fields else { throw FrameError.missing("data") }
        return try fields.event(kind, receivedAt: receivedAt)
    }

    /// `{"response_type":"ERROR","error_code":160012,"message":"Invalid Topic"}` → `160012: Invalid Topic`.
    private static func parseError(_ reader: inout JSONReader) throws -> FrameKind {
        var code: String?
        var message: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "error_code": code = try reader.readStringOrNumber()
            case "message": message = try reader.readString()
            default: break
            }
        }
        return .exchangeError("\(code ?? "?"): \(message ?? "")")
    }

    /// The members of a ticker or trade `data` object under their DEFAULT or SHORT names, and of
    /// a REST ticker (whose best prices come as `best_asks`/`best_bids` arrays).
    struct Fields {
        var quote: String?
        var target: String?
        var time: Int64?
        var id: (text: String, number: Int64?)?
        var last: Double?
        var first: Double?
        var high: Double?
        var low: Double?
        var quoteVolume: Double?
        var targetVolume: Double?
        var ask: Double?
        var askSize: Double?
        var bid: Double?
        var bidSize: Double?
        var price: Double?
        var quantity: Double?
        var sellerIsMaker: Bool?

        init(_ reader: inout JSONReader) throws {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "quote_currency", "qc": quote = try Self.asset(&reader, field: "quote_currency")
                case "target_currency", "tc": target = try Self.asset(&reader, field: "target_currency")
                case "timestamp", "t": time = try reader.readInt64()
                case "id", "i": id = try reader.readIdentifier()
                case "last", "la": last = try reader.readDouble()
                case "first", "fi": first = try reader.readOptionalDouble()
                case "high", "hi": high = try reader.readOptionalDouble()
                case "low", "lo": low = try reader.readOptionalDouble()
                case "quote_volume", "qv": quoteVolume = try reader.readOptionalDouble()
                case "target_volume", "tv": targetVolume = try reader.readOptionalDouble()
                case "ask_best_price", "abp": ask = try reader.readOptionalDouble()
                case "ask_best_qty", "abq": askSize = try reader.readOptionalDouble()
                case "bid_best_price", "bbp": bid = try reader.readOptionalDouble()
                case "bid_best_qty", "bbq": bidSize = try reader.readOptionalDouble()
                case "best_asks": (ask, askSize) = try Self.bestLevel(&reader)
                case "best_bids": (bid, bidSize) = try Self.bestLevel(&reader)
                case "price", "p": price = try reader.readDouble()
                case "qty", "q": quantity = try reader.readDouble()
                case "is_seller_maker", "sm": sellerIsMaker = try reader.readBool()
                default: break
                }
            }
        }

        static func asset(_ reader: inout JSONReader, field: StaticString) throws -> String {
            let view = try reader.readStringView()
            guard !view.hasEscapes, let asset = MarketCode.asset(view.rawBytes) else { throw FrameError.invalid(field, view) }
            return asset
        }

        /// The first `{"price":…,"qty":…}` of a REST `best_asks`/`best_bids` array; nils when empty.
        private static func bestLevel(_ reader: inout JSONReader) throws -> (Double?, Double?) {
            var level: (Double?, Double?) = (nil, nil)
            var isFirst = true
            try reader.beginArray()
            while try reader.nextElement() {
                guard isFirst else { continue }
                isFirst = false
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "price": level.0 = try reader.readOptionalDouble()
                    case "qty": level.1 = try reader.readOptionalDouble()
                    default: break
                    }
                }
            }
            return level
        }

        func event(_ kind: MarketEvent.Kind, receivedAt: Int64) throws -> MarketEvent {
            guard let quote else { throw FrameError.missing("quote_currency") }
            guard let target else { throw FrameError.missing("target_currency") }
            guard let time else { throw FrameError.missing("timestamp") }
            let symbol = Symbol(base: target, quote: quote)
            let nanoseconds = try FrameParsing.nanoseconds(milliseconds: time, field: "timestamp")
            switch kind {
            case .ticker:
                guard let last else { throw FrameError.missing("last") }
                return MarketEvent(
                    kind: .ticker, exchange: .coinone, symbol: symbol, price: last,
                    bestBid: bid, bestBidSize: bidSize, bestAsk: ask, bestAskSize: askSize,
                    open24h: first, high24h: high, low24h: low, volume24h: targetVolume, quoteVolume24h: quoteVolume,
                    eventTimeNanos: nanoseconds, receiveTimeNanos: receivedAt
                )
            case .trade:
                guard let price else { throw FrameError.missing("price") }
                guard let quantity else { throw FrameError.missing("qty") }
                guard let id else { throw FrameError.missing("id") }
                return MarketEvent(
                    kind: .trade, exchange: .coinone, symbol: symbol, price: price, size: quantity,
                    eventTimeNanos: nanoseconds, receiveTimeNanos: receivedAt,
                    tradeID: id.text, sequence: id.number,
                    side: sellerIsMaker.map { $0 ? .buy : .sell } ?? .unknown
                )
            }
        }
    }

    // MARK: REST

    public func restTickerPaths(for symbols: [Symbol]) -> [String] {
        symbols.map { "/public/v2/ticker_new/" + exchangeSymbol(for: $0) }
    }

    /// Parses `{"result":"success","error_code":"0","server_time":ms,"tickers":[{"quote_currency":…,
    /// "target_currency":…,"timestamp":ms,"high":…,"low":…,"first":…,"last":…,"quote_volume":…,
    /// "target_volume":…,"best_asks":[{"price":…,"qty":…}],"best_bids":[…],"id":…}]}`;
    /// `"result":"error"` throws with `error_code` and `error_msg`.
    public func parseRESTTicker(path: String, body: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) {
        try FrameParsing.parseTickers(body, into: &events) { reader, events in
            try Self.parseReply(&reader) { key, reader in
                guard key == "tickers" else { return }
                try reader.beginArray()
                while try reader.nextElement() {
                    events.append(try Fields(&reader).event(.ticker, receivedAt: receivedAt))
                }
            }
        }
    }

    /// Reads a public v2 REST reply `{"result":"success","error_code":"0",…}`, handing every member
    /// but `result`, `error_code` and `error_msg` to `member`.
    /// - Throws: the exchange's error for `"result":"error"`; `FrameError` for a reply without `result`.
    static func parseReply(_ reader: inout JSONReader, member: (JSONReader.StringView, inout JSONReader) throws -> Void) throws {
        var succeeded: Bool?
        var code: String?
        var message: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "result": succeeded = try reader.readStringView() == "success"
            case "error_code": code = try reader.readStringOrNumber()
            case "error_msg": message = try reader.readString()
            default: try member(key, &reader)
            }
        }
        guard let succeeded else { throw FrameError.missing("result") }
        guard succeeded else { throw FrameError.exchangeReply("\(code ?? "?"): \(message ?? "")") }
    }
}
