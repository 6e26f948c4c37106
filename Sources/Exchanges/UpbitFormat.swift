import CoinfluxCore
import Foundation

/// An exchange that speaks Upbit's market-data format: Upbit itself and Bithumb's v1 API.
///
/// Conforming types give the exchange, its URLs and its time zone; the request, keepalive,
/// frame and REST handling below are shared.
///
/// - Subscribe: one JSON array that replaces the connection's subscriptions, so everything goes
///   in one request: `[{"ticket":…},{"type":"ticker","codes":[…]},{"type":"trade","codes":[…]},{"format":"DEFAULT"}]`.
///   Codes are `QUOTE-BASE` (`KRW-BTC`). No ack is sent.
/// - Keepalive: idle connections are closed after about 120 s; the client sends the text `PING`,
///   answered `{"status":"UP"}`.
/// - Frames (usually binary; text is the same bytes): `type` `ticker` or `trade` in the DEFAULT
///   format or the SIMPLE format's abbreviated keys (`ty`, `cd`, `tp`, …); numbers are JSON
///   numbers; `sequential_id` is a number beyond 2^53 or a string; `ask_bid` `ASK` means the
///   taker sold. Errors: `{"error":{"name":…,"message":…}}`. Other types are ignored.
/// - REST: `GET /v1/ticker?markets=KRW-BTC,KRW-ETH`, a JSON array of ticker objects (`market`
///   instead of `code`); errors use the stream's error object. Recent trades and the market list
///   in `UpbitFormat+TradeHistory.swift`.
public protocol UpbitCompatibleAdapter: ExchangeAdapter {
    /// Offset from UTC of the `trade_date`/`trade_time` strings of stream frames (Upbit UTC,
    /// Bithumb v1 KST). Used only when a frame has no epoch-millisecond time.
    var streamTimeOffsetSeconds: Int64 { get }
}

extension UpbitCompatibleAdapter {
    public var connectionPolicy: ConnectionPolicy { UpbitFormat.policy }
    /// Upbit's quotation REST API allows 10 requests/s per IP for the ticker group; one request
    /// carries up to ``UpbitFormat/marketsPerRequest`` markets, so half of that is ample.
    public var restRequestsPerSecond: Double { 5 }

    /// `BTC-KRW` → `KRW-BTC`.
    public func exchangeSymbol(for symbol: Symbol) -> String {
        symbol.quote + "-" + symbol.base
    }

    public func symbol(forExchangeSymbol code: String) -> Symbol? {
        MarketCode.parsing(code, MarketCode.quoteDashBase)
    }

    public func webSocketPath(for symbols: [Symbol]) -> String? { nil }

    public func subscriptionFrames(for symbols: [Symbol]) -> [OutgoingFrame] {
        guard !symbols.isEmpty else { return [] }
        let codes = JSONText.array(symbols.map(exchangeSymbol))
        let ticket = JSONText.quoted("coinflux-" + exchange.rawValue)
        return [.text(#"[{"ticket":\#(ticket)},{"type":"ticker","codes":\#(codes)},{"type":"trade","codes":\#(codes)},{"format":"DEFAULT"}]"#)]
    }

    public func parse(frame: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) -> FrameKind {
        try FrameParsing.parse(frame, into: &events) { reader, events in
            guard let type = try reader.stringMember(where: { $0 == "type" || $0 == "ty" }) else {
                return try UpbitFormat.parseStatus(&reader)
            }
            let kind: MarketEvent.Kind
            if type == "ticker" {
                kind = .ticker
            } else if type == "trade" {
                kind = .trade
            } else {
                try reader.skipValue()
                return .ignored
            }
            let fields = try UpbitFormat.Fields(&reader)
            events.append(try fields.event(kind, exchange: exchange, timeOffsetSeconds: streamTimeOffsetSeconds, receivedAt: receivedAt))
            return .data
        }
    }

    /// `/v1/ticker?markets=…`, at most ``UpbitFormat/marketsPerRequest`` markets per request.
    public func restTickerPaths(for symbols: [Symbol]) -> [String] {
        let codes = symbols.map(exchangeSymbol)
        return stride(from: 0, to: codes.count, by: UpbitFormat.marketsPerRequest).map { start in
            "/v1/ticker?markets=" + codes[start..<min(start + UpbitFormat.marketsPerRequest, codes.count)].joined(separator: ",")
        }
    }

    /// Parses the `/v1/ticker` array (`market`, `trade_price`, `opening_price`, `high_price`,
    /// `low_price`, `trade_volume`, `acc_trade_volume_24h`, `acc_trade_price_24h`,
    /// `trade_timestamp`, `timestamp`); an `{"error":…}` body throws.
    public func parseRESTTicker(path: String, body: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) {
        try FrameParsing.parseTickers(body, into: &events) { reader, events in
            try UpbitFormat.expectArray(&reader, of: "tickers")
            try reader.beginArray()
            while try reader.nextElement() {
                let fields = try UpbitFormat.Fields(&reader)
                // REST `trade_date`/`trade_time` are UTC on both APIs (with `_kst` variants beside them).
                events.append(try fields.event(.ticker, exchange: exchange, timeOffsetSeconds: 0, receivedAt: receivedAt))
            }
        }
    }
}

/// The parts of the Upbit format that do not depend on the exchange.
enum UpbitFormat {
    static let policy = ConnectionPolicy(
        clientPing: .text("PING"), pingInterval: .seconds(20), sendsWebSocketPings: false,
        maximumConnectionAge: nil, maximumTopicsPerRequest: .max,
        maximumStreamsPerConnection: .max
    )

    /// Markets per REST ticker request (keeps URLs short; the API takes a comma-separated list).
    static let marketsPerRequest = 100

    /// A frame without `type`: the `{"status":"UP"}` pong or an `{"error":{…}}` object.
    static func parseStatus(_ reader: inout JSONReader) throws -> FrameKind {
        var status: FrameKind?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "status":
                let value = try reader.readStringView()
                guard value == "UP" else { throw FrameError.invalid("status", value) }
                status = .pong
            case "error":
                status = .exchangeError(try parseError(&reader))
            default: break
            }
        }
        guard let status else { throw FrameError("neither data, a status nor an error") }
        return status
    }

    /// Returns when the value that starts here is an array; an `{"error":…}` object throws the
    /// exchange's error, anything else a `FrameError` saying an array of `content` was expected.
    static func expectArray(_ reader: inout JSONReader, of content: String) throws {
        guard try reader.peekKind() != .array else { return }
        guard case .exchangeError(let text) = try parseStatus(&reader) else { throw FrameError("expected an array of \(content)") }
        throw FrameError.exchangeReply(text)
    }

    /// `{"name":"WRONG_FORMAT","message":"…"}` (REST sends `name` as a number, e.g. 404) → `NAME: message`.
    private static func parseError(_ reader: inout JSONReader) throws -> String {
        var name: String?
        var message: String?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "name": name = try reader.readStringOrNumber()
            case "message": message = try reader.consumeNull() ? nil : reader.readString()
            default: break
            }
        }
        return "\(name ?? "?"): \(message ?? "")"
    }

    /// The members of one ticker or trade object, read under either name (DEFAULT / SIMPLE).
    struct Fields {
        var symbol: Symbol?
        var price: Double?
        var volume: Double?
        var open: Double?
        var high: Double?
        var low: Double?
        var volume24h: Double?
        var quoteVolume24h: Double?
        var tradeTimestamp: Int64?
        var timestamp: Int64?
        /// `trade_date` and `trade_time` as written (they point into the frame).
        var tradeDate: UnsafeRawBufferPointer?
        var tradeTime: UnsafeRawBufferPointer?
        var side: MarketEvent.TakerSide = .unknown
        var sequentialID: (text: String, number: Int64?)?
        var bestAsk: Double?
        var bestAskSize: Double?
        var bestBid: Double?
        var bestBidSize: Double?

        init(_ reader: inout JSONReader) throws {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "code", "cd", "market":
                    let view = try reader.readStringView()
                    guard let symbol = try MarketCode.decoded(view, MarketCode.quoteDashBase) else { throw FrameError.invalid("code", view) }
                    self.symbol = symbol
                case "trade_price", "tp": price = try reader.readDouble()
                case "trade_volume", "tv": volume = try reader.readDouble()
                case "opening_price", "op": open = try reader.readOptionalDouble()
                case "high_price", "hp": high = try reader.readOptionalDouble()
                case "low_price", "lp": low = try reader.readOptionalDouble()
                case "acc_trade_volume_24h", "atv24h": volume24h = try reader.readOptionalDouble()
                case "acc_trade_price_24h", "atp24h": quoteVolume24h = try reader.readOptionalDouble()
                case "trade_timestamp", "ttms": tradeTimestamp = try reader.readInt64()
                case "timestamp", "tms": timestamp = try reader.readInt64()
                case "trade_date", "tdt", "td": tradeDate = try reader.readStringView().rawBytes
                case "trade_time", "ttm": tradeTime = try reader.readStringView().rawBytes
                case "ask_bid", "ab":
                    let view = try reader.readStringView()
                    if view == "ASK" {
                        side = .sell
                    } else if view == "BID" {
                        side = .buy
                    } else {
                        throw FrameError.invalid("ask_bid", view)
                    }
                case "sequential_id", "sid": sequentialID = try reader.readIdentifier()
                case "best_ask_price", "bap": bestAsk = try reader.readOptionalDouble()
                case "best_ask_size", "bas": bestAskSize = try reader.readOptionalDouble()
                case "best_bid_price", "bbp": bestBid = try reader.readOptionalDouble()
                case "best_bid_size", "bbs": bestBidSize = try reader.readOptionalDouble()
                default: break
                }
            }
        }

        /// The event of `kind`. Trades take their time from `trade_timestamp`, else from
        /// `trade_date`/`trade_time` in `timeOffsetSeconds`, else from `timestamp`; tickers from
        /// `timestamp`, else `trade_timestamp`.
        func event(_ kind: MarketEvent.Kind, exchange: Exchange, timeOffsetSeconds: Int64, receivedAt: Int64) throws -> MarketEvent {
            guard let symbol else { throw FrameError.missing("code") }
            guard let price else { throw FrameError.missing("trade_price") }
            var event = MarketEvent(
                kind: kind, exchange: exchange, symbol: symbol, price: price, size: volume,
                eventTimeNanos: 0, receiveTimeNanos: receivedAt
            )
            switch kind {
            case .ticker:
                guard let milliseconds = timestamp ?? tradeTimestamp else { throw FrameError.missing("timestamp") }
                event.eventTimeNanos = try FrameParsing.nanoseconds(milliseconds: milliseconds, field: "timestamp")
                event.open24h = open
                event.high24h = high
                event.low24h = low
                event.volume24h = volume24h
                event.quoteVolume24h = quoteVolume24h
            case .trade:
                guard volume != nil else { throw FrameError.missing("trade_volume") }
                event.eventTimeNanos = try tradeTimeNanoseconds(offsetSeconds: timeOffsetSeconds)
                event.side = side
                event.tradeID = sequentialID?.text
                event.sequence = sequentialID?.number
                event.bestAsk = bestAsk
                event.bestAskSize = bestAskSize
                event.bestBid = bestBid
                event.bestBidSize = bestBidSize
            }
            return event
        }

        private func tradeTimeNanoseconds(offsetSeconds: Int64) throws -> Int64 {
            if let tradeTimestamp {
                return try FrameParsing.nanoseconds(milliseconds: tradeTimestamp, field: "trade_timestamp")
            }
            if let tradeDate, let tradeTime {
                guard let nanoseconds = CivilTimestamp.nanoseconds(date: tradeDate, time: tradeTime, offsetSeconds: offsetSeconds) else {
                    throw FrameError("invalid trade_date/trade_time")
                }
                return nanoseconds
            }
            guard let timestamp else { throw FrameError.missing("trade_timestamp") }
            return try FrameParsing.nanoseconds(milliseconds: timestamp, field: "timestamp")
        }
    }
}
