import CoinfluxCore
import Foundation

/// Bithumb's legacy public stream (`wss://pubwss.bithumb.com/pub/ws`), kept behind the
/// `bithumbAPI: .legacy` switch; the current API is ``BithumbAdapter``.
///
/// - Subscribe: `{"type":"ticker","symbols":["BTC_KRW",…],"tickTypes":["24H"]}` and
///   `{"type":"transaction","symbols":[…]}`; acks and the connect greeting are
///   `{"status":"0000","resmsg":…}`, failures carry another status (`5100 Invalid Filter Syntax`).
/// - Keepalive: none documented; the client sends standard WebSocket pings.
/// - Frames: `{"type":"ticker","content":{…}}` with KST `date`/`time` (only `tickType` 24H is
///   used) and `{"type":"transaction","content":{"list":[…]}}` whose `contDtm` is KST local time
///   with microseconds. All values are strings. Trades carry no id, and `buySellGb` is not
///   trusted (the documentation and the clients disagree), so their side is unknown.
/// - REST: `GET /public/ticker/BTC_KRW`; the body does not name the market, the path does.
public struct BithumbLegacyAdapter: ExchangeAdapter {
    public init() {}

    public var exchange: Exchange { .bithumb }
    public var defaultWebSocketURL: URL { Self.webSocketURL }
    public var defaultRESTURL: URL { Self.restURL }
    public var connectionPolicy: ConnectionPolicy { Self.policy }
    /// One request per market; the legacy API's limit is not in the protocol notes: a conservative 5/s.
    public var restRequestsPerSecond: Double { 5 }

    private static let webSocketURL = URL(string: "wss://pubwss.bithumb.com/pub/ws")!
    private static let restURL = URL(string: "https://api.bithumb.com")!
    private static let policy = ConnectionPolicy(
        clientPing: nil, pingInterval: .seconds(20), sendsWebSocketPings: true,
        maximumConnectionAge: nil, maximumTopicsPerRequest: .max,
        maximumStreamsPerConnection: .max
    )
    private static let restTickerPrefix = "/public/ticker/"

    // MARK: Symbols and subscription

    /// `BTC-KRW` → `BTC_KRW`.
    public func exchangeSymbol(for symbol: Symbol) -> String {
        symbol.base + "_" + symbol.quote
    }

    public func symbol(forExchangeSymbol code: String) -> Symbol? {
        MarketCode.parsing(code, MarketCode.baseUnderscoreQuote)
    }

    public func webSocketPath(for symbols: [Symbol]) -> String? { nil }

    public func subscriptionFrames(for symbols: [Symbol]) -> [OutgoingFrame] {
        guard !symbols.isEmpty else { return [] }
        let codes = JSONText.array(symbols.map(exchangeSymbol))
        return [
            .text(#"{"type":"ticker","symbols":\#(codes),"tickTypes":["24H"]}"#),
            .text(#"{"type":"transaction","symbols":\#(codes)}"#),
        ]
    }

    // MARK: WebSocket frames

    public func parse(frame: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) -> FrameKind {
        try FrameParsing.parse(frame, into: &events) { reader, events in
            guard let type = try reader.stringMember(where: { $0 == "type" }) else {
                return try Self.parseStatus(&reader)
            }
            if type == "ticker" {
                guard let event = try Self.parseTicker(&reader, receivedAt: receivedAt) else { return .ignored }
                events.append(event)
            } else if type == "transaction" {
                try Self.parseTransactions(&reader, receivedAt: receivedAt, into: &events)
            } else {
                try reader.skipValue()
                return .ignored
            }
            return .data
        }
    }

    /// `{"status":"0000","resmsg":"Connected Successfully"}` and the filter replies.
    private static func parseStatus(_ reader: inout JSONReader) throws -> FrameKind {
        var status: String?
        var message = ""
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "status": status = try reader.readString()
            case "resmsg": message = try reader.readString()
            default: break
            }
        }
        guard let status else { throw FrameError("neither data nor a status") }
        return status == "0000" ? .acknowledgement(message) : .exchangeError("\(status): \(message)")
    }

    /// A ticker message; nil for tick types other than 24H.
    private static func parseTicker(_ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent? {
        var event: MarketEvent?
        var hasContent = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard key == "content" else { continue }
            hasContent = true
            event = try parseTickerContent(&reader, receivedAt: receivedAt)
        }
        guard hasContent else { throw FrameError.missing("content") }
        return event
    }

    private static func parseTickerContent(_ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent? {
        var symbol: Symbol?
        var isDaily = true
        var date: UnsafeRawBufferPointer?
        var time: UnsafeRawBufferPointer?
        var close: Double?
        var open: Double?
        var high: Double?
        var low: Double?
        var volume: Double?
        var value: Double?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "symbol": symbol = try readSymbol(&reader)
            case "tickType": isDaily = try reader.readStringView() == "24H"
            case "date": date = try reader.readStringView().rawBytes
            case "time": time = try reader.readStringView().rawBytes
            case "closePrice": close = try reader.readDouble()
            case "openPrice": open = try reader.readOptionalDouble()
            case "highPrice": high = try reader.readOptionalDouble()
            case "lowPrice": low = try reader.readOptionalDouble()
            case "volume": volume = try reader.readOptionalDouble()
            case "value": value = try reader.readOptionalDouble()
            default: break
            }
        }
        guard isDaily else { return nil }
        guard let symbol else { throw FrameError.missing("symbol") }
        guard let close else { throw FrameError.missing("closePrice") }
        guard let date else { throw FrameError.missing("date") }
        guard let time else { throw FrameError.missing("time") }
        guard let nanoseconds = CivilTimestamp.nanoseconds(date: date, time: time, offsetSeconds: CivilTimestamp.koreaOffsetSeconds) else {
            throw FrameError("invalid date/time")
        }
        return MarketEvent(
            kind: .ticker, exchange: .bithumb, symbol: symbol, price: close,
            open24h: open, high24h: high, low24h: low, volume24h: volume, quoteVolume24h: value,
            eventTimeNanos: nanoseconds, receiveTimeNanos: receivedAt
        )
    }

    /// A transaction message: `content.list` holds the trades.
    private static func parseTransactions(_ reader: inout JSONReader, receivedAt: Int64, into events: inout [MarketEvent]) throws {
        var hasList = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard key == "content" else { continue }
            try reader.beginObject()
            while let member = try reader.nextKey() {
                guard member == "list" else { continue }
                hasList = true
                try reader.beginArray()
                while try reader.nextElement() {
                    events.append(try parseTrade(&reader, receivedAt: receivedAt))
                }
            }
        }
        guard hasList else { throw FrameError.missing("content.list") }
    }

    private static func parseTrade(_ reader: inout JSONReader, receivedAt: Int64) throws -> MarketEvent {
        var symbol: Symbol?
        var price: Double?
        var quantity: Double?
        var time: Int64?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "symbol": symbol = try readSymbol(&reader)
            case "contPrice": price = try reader.readDouble()
            case "contQty": quantity = try reader.readDouble()
            case "contDtm":
                let view = try reader.readStringView()
                guard let nanoseconds = CivilTimestamp.nanoseconds(dateTime: view.rawBytes, offsetSeconds: CivilTimestamp.koreaOffsetSeconds) else {
                    throw FrameError.invalid("contDtm", view)
                }
                time = nanoseconds
            default: break
            }
        }
        guard let symbol else { throw FrameError.missing("symbol") }
        guard let price else { throw FrameError.missing("contPrice") }
        guard let quantity else { throw FrameError.missing("contQty") }
        guard let time else { throw FrameError.missing("contDtm") }
        return MarketEvent(
            kind: .trade, exchange: .bithumb, symbol: symbol, price: price, size: quantity,
            eventTimeNanos: time, receiveTimeNanos: receivedAt, side: .unknown
        )
    }

    private static func readSymbol(_ reader: inout JSONReader) throws -> Symbol {
        let view = try reader.readStringView()
        guard let symbol = try MarketCode.decoded(view, MarketCode.baseUnderscoreQuote) else { throw FrameError.invalid("symbol", view) }
        return symbol
    }

    // MARK: REST

    public func restTickerPaths(for symbols: [Symbol]) -> [String] {
        symbols.map { Self.restTickerPrefix + exchangeSymbol(for: $0) }
    }

    /// Parses `{"status":"0000","data":{"opening_price":…,"closing_price":…,"min_price":…,"max_price":…,
    /// "units_traded_24H":…,"acc_trade_value_24H":…,"date":"<epoch ms>",…}}` for the market named by
    /// `path` (`/public/ticker/BTC_KRW`); another `status` throws with its `message`.
    public func parseRESTTicker(path: String, body: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) {
        guard path.hasPrefix(Self.restTickerPrefix),
              let symbol = symbol(forExchangeSymbol: String(path.dropFirst(Self.restTickerPrefix.count)))
        else { throw FrameError("no market in REST path \(path)") }
        try FrameParsing.parseTickers(body, into: &events) { reader, events in
            var status: String?
            var message = ""
            var event: MarketEvent?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "status": status = try reader.readString()
                case "message": message = try reader.readString()
                case "data": event = try Self.parseRESTData(&reader, symbol: symbol, receivedAt: receivedAt)
                default: break
                }
            }
            guard let status else { throw FrameError.missing("status") }
            guard status == "0000" else { throw FrameError.exchangeReply("\(status): \(message)") }
            guard let event else { throw FrameError.missing("data") }
            events.append(event)
        }
    }

    private static func parseRESTData(_ reader: inout JSONReader, symbol: Symbol, receivedAt: Int64) throws -> MarketEvent {
        var close: Double?
        var time: Int64?
        var event = MarketEvent(kind: .ticker, exchange: .bithumb, symbol: symbol, price: 0, eventTimeNanos: 0, receiveTimeNanos: receivedAt)
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "closing_price": close = try reader.readDouble()
            case "opening_price": event.open24h = try reader.readOptionalDouble()
            case "max_price": event.high24h = try reader.readOptionalDouble()
            case "min_price": event.low24h = try reader.readOptionalDouble()
            case "units_traded_24H": event.volume24h = try reader.readOptionalDouble()
            case "acc_trade_value_24H": event.quoteVolume24h = try reader.readOptionalDouble()
            case "date": time = try reader.readInt64()
            default: break
            }
        }
        guard let close else { throw FrameError.missing("closing_price") }
        guard let time else { throw FrameError.missing("date") }
        event.price = close
        event.eventTimeNanos = try FrameParsing.nanoseconds(milliseconds: time, field: "date")
        return event
    }
}
