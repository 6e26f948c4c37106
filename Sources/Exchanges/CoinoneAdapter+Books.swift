import CoinfluxCore

/// Coinone's `ORDERBOOK` channel:
///
/// - Subscribe `{"request_type":"SUBSCRIBE","channel":"ORDERBOOK","topic":{"quote_currency":"KRW",
///   "target_currency":"XRP"}}`; the latest book once, then the book on every change.
/// - `{"response_type":"DATA","channel":"ORDERBOOK","data":{"quote_currency":"KRW","target_currency":"XRP",
///   "timestamp":ms,"id":"1693560155038001","asks":[{"price":"695.5","qty":"5000"},…],"bids":[…]}}`
///   (SHORT: `qc`, `tc`, `t`, `i`, `a`, `b`, `p`, `q`). Each message is taken as the whole book (as
///   ccxt does; Coinone's page does not say "delta"); a larger `id` is a newer book. The example's
///   asks run from the highest price down: no order is assumed. (``BookSynchronizer``)
extension CoinoneAdapter: OrderBookAdapter {
    public var bookSequencing: BookSequencing { .snapshots }

    /// Coinone sends its depth (16 levels in its example); the client cannot choose.
    public func bookDepth(for depth: Int) -> Int { min(depth, 16) }

    public func bookSubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame] {
        requests("SUBSCRIBE", channels: ["ORDERBOOK"], symbols: symbols)
    }

    public func parseBookMessage(frame: UnsafeRawBufferPointer, receivedAt: Int64, into updates: inout [BookUpdate]) throws(FrameError) -> Bool {
        try FrameParsing.parse(frame, into: &updates) { reader, updates in
            guard try reader.peekKind() == .object,
                  let type = try reader.stringMember(where: { $0 == "response_type" || $0 == "r" }), type == "DATA",
                  let channel = try reader.stringMember(where: { $0 == "channel" || $0 == "c" }), channel == "ORDERBOOK"
            else {
                try reader.skipValue()
                return false
            }
            var update: BookUpdate?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                if key == "data" || key == "d" { update = try Self.parseBook(&reader, receivedAt: receivedAt) }
            }
            guard let update else { throw FrameError.missing("data") }
            updates.append(update)
            return true
        }
    }

    private static func parseBook(_ reader: inout JSONReader, receivedAt: Int64) throws -> BookUpdate {
        var quote: String?
        var target: String?
        var time: Int64?
        var id: Int64?
        var bids: [BookLevel]?
        var asks: [BookLevel]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "quote_currency", "qc": quote = try reader.readString()
            case "target_currency", "tc": target = try reader.readString()
            case "timestamp", "t": time = try reader.readInt64()
            case "id", "i": id = try reader.readInt64()
            case "asks", "a": asks = try BookLevels.readObjects(&reader)
            case "bids", "b": bids = try BookLevels.readObjects(&reader)
            default: break
            }
        }
        guard let quote, let target else { throw FrameError.missing("quote_currency / target_currency") }
        guard let symbol = MarketCode.parsing(quote + "/" + target, MarketCode.quoteSlashBase) else {
            throw FrameError("unexpected market \(quote)/\(target)")
        }
        guard let time else { throw FrameError.missing("timestamp") }
        guard let bids else { throw FrameError.missing("bids") }
        guard let asks else { throw FrameError.missing("asks") }
        return BookUpdate(
            kind: .snapshot, exchange: .coinone, symbol: symbol, bids: bids, asks: asks, updateID: id,
            eventTimeNanos: try FrameParsing.nanoseconds(milliseconds: time, field: "timestamp"), receiveTimeNanos: receivedAt
        )
    }
}
