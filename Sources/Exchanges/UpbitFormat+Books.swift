import CoinfluxCore

/// Order books in the Upbit format (Upbit and Bithumb v1):
///
/// - Subscribe `[{"ticket":…},{"type":"orderbook","codes":["KRW-BTC.30",…]},{"format":"DEFAULT"}]`;
///   the `.N` suffix asks for N units (Upbit offers 1, 5, 15 and 30, default 30; Bithumb documents no
///   list). A request replaces a connection's subscriptions, so books get a connection of their own.
/// - Every message is the whole top N: `{"type":"orderbook","code":"KRW-BTC","timestamp":ms,
///   "total_ask_size":…,"total_bid_size":…,"orderbook_units":[{"ask_price":…,"bid_price":…,
///   "ask_size":…,"bid_size":…},…],"stream_type":"SNAPSHOT"|"REALTIME","level":0}` (SIMPLE: `ty`,
///   `cd`, `tms`, `obu`, `ap`, `bp`, `as`, `bs`). Numbers are JSON numbers; there is no sequence
///   number, so a newer `timestamp` wins. (``BookSynchronizer``)
extension UpbitCompatibleAdapter {
    public var bookSequencing: BookSequencing { .snapshots }

    public func bookDepth(for depth: Int) -> Int { BookLevels.depth(depth, offered: [1, 5, 15, 30]) }

    public func bookSubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame] {
        guard !symbols.isEmpty else { return [] }
        let units = bookDepth(for: depth)
        let codes = JSONText.array(symbols.map { exchangeSymbol(for: $0) + ".\(units)" })
        let ticket = JSONText.quoted("coinflux-books-" + exchange.rawValue)
        return [.text(#"[{"ticket":\#(ticket)},{"type":"orderbook","codes":\#(codes)},{"format":"DEFAULT"}]"#)]
    }

    public func parseBookMessage(frame: UnsafeRawBufferPointer, receivedAt: Int64, into updates: inout [BookUpdate]) throws(FrameError) -> Bool {
        try FrameParsing.parse(frame, into: &updates) { reader, updates in
            guard try reader.peekKind() == .object,
                  let type = try reader.stringMember(where: { $0 == "type" || $0 == "ty" }), type == "orderbook"
            else {
                try reader.skipValue()
                return false
            }
            updates.append(try UpbitFormat.parseBook(&reader, exchange: exchange, receivedAt: receivedAt))
            return true
        }
    }
}

extension UpbitFormat {
    /// One `orderbook` message (or a REST `/v1/orderbook` element, keyed `market`).
    static func parseBook(_ reader: inout JSONReader, exchange: Exchange, receivedAt: Int64) throws -> BookUpdate {
        var symbol: Symbol?
        var time: Int64?
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        bids.reserveCapacity(BookLevels.expectedLevels)
        asks.reserveCapacity(BookLevels.expectedLevels)
        var hasUnits = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "code", "cd", "market":
                let view = try reader.readStringView()
                guard let decoded = try MarketCode.decoded(view, MarketCode.quoteDashBase) else { throw FrameError.invalid("code", view) }
                symbol = decoded
            case "timestamp", "tms": time = try reader.readInt64()
            case "orderbook_units", "obu":
                hasUnits = true
                try reader.beginArray()
                while try reader.nextElement() {
                    try readUnit(&reader, bids: &bids, asks: &asks)
                }
            default: break
            }
        }
        guard let symbol else { throw FrameError.missing("code") }
        guard let time else { throw FrameError.missing("timestamp") }
        guard hasUnits else { throw FrameError.missing("orderbook_units") }
        return BookUpdate(
            kind: .snapshot, exchange: exchange, symbol: symbol, bids: bids, asks: asks,
            eventTimeNanos: try FrameParsing.nanoseconds(milliseconds: time, field: "timestamp"), receiveTimeNanos: receivedAt
        )
    }

    /// One unit: an ask and a bid level side by side. A side priced 0 (a book thinner than the
    /// units asked for) is left out.
    private static func readUnit(_ reader: inout JSONReader, bids: inout [BookLevel], asks: inout [BookLevel]) throws {
        var askPrice: Double?
        var askSize: Double?
        var bidPrice: Double?
        var bidSize: Double?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "ask_price", "ap": askPrice = try reader.readDouble()
            case "ask_size", "as": askSize = try reader.readDouble()
            case "bid_price", "bp": bidPrice = try reader.readDouble()
            case "bid_size", "bs": bidSize = try reader.readDouble()
            default: break
            }
        }
        guard let askPrice, let askSize else { throw FrameError.missing("ask_price / ask_size") }
        guard let bidPrice, let bidSize else { throw FrameError.missing("bid_price / bid_size") }
        if askPrice != 0 { asks.append(try BookLevels.level(price: askPrice, size: askSize)) }
        if bidPrice != 0 { bids.append(try BookLevels.level(price: bidPrice, size: bidSize)) }
    }
}

extension UpbitAdapter: OrderBookAdapter {}
extension BithumbAdapter: OrderBookAdapter {}
