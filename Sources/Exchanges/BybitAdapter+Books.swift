import CoinfluxCore

/// Bybit v5 spot order books, topic `orderbook.{depth}.{symbol}` (spot depths 1, 50 and 200):
///
/// - `{"topic":"orderbook.50.BTCUSDT","ts":ms,"type":"snapshot"|"delta","data":{"s":"BTCUSDT",
///   "b":[["16493.50","0.006"],…],"a":[…],"u":18521288,"seq":7961638724},"cts":ms}` (spot sends `ts`
///   before `type`; no order is assumed).
/// - After subscribing, a snapshot, then deltas on every change; size `"0"` deletes a price. A new
///   snapshot resets the book, and so does `u` = 1 (Bybit restarted the service). `u` is "generally
///   consecutive"; a jump is taken as a missed message and the market is subscribed again for a
///   fresh snapshot. (``BookSynchronizer``)
extension BybitAdapter: OrderBookAdapter {
    public var bookSequencing: BookSequencing { .streamedSnapshotThenDeltas }

    public func bookDepth(for depth: Int) -> Int { BookLevels.depth(depth, offered: [1, 50, 200]) }

    public func bookSubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame] {
        requests("subscribe", topics: bookTopics(symbols, depth: depth))
    }

    public func bookUnsubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame] {
        requests("unsubscribe", topics: bookTopics(symbols, depth: depth))
    }

    private func bookTopics(_ symbols: [Symbol], depth: Int) -> [String] {
        let prefix = "orderbook.\(bookDepth(for: depth))."
        return symbols.map { prefix + exchangeSymbol(for: $0) }
    }

    public func parseBookMessage(frame: UnsafeRawBufferPointer, receivedAt: Int64, into updates: inout [BookUpdate]) throws(FrameError) -> Bool {
        try FrameParsing.parse(frame, into: &updates) { reader, updates in
            guard try reader.peekKind() == .object,
                  let topic = try reader.stringMember(where: { $0 == "topic" }), topic.hasPrefix("orderbook.")
            else {
                try reader.skipValue()
                return false
            }
            updates.append(try Self.parseBook(&reader, receivedAt: receivedAt))
            return true
        }
    }

    private static func parseBook(_ reader: inout JSONReader, receivedAt: Int64) throws -> BookUpdate {
        var kind: BookUpdate.Kind?
        var time: Int64?
        var symbol: Symbol?
        var bids: [BookLevel]?
        var asks: [BookLevel]?
        var id: Int64?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "type":
                let view = try reader.readStringView()
                if view == "snapshot" { kind = .snapshot } else if view == "delta" { kind = .delta } else { throw FrameError.invalid("type", view) }
            case "ts": time = try reader.readInt64()
            case "data":
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "s": symbol = try readSymbol(&reader, field: "data.s")
                    case "b": bids = try BookLevels.readPairs(&reader)
                    case "a": asks = try BookLevels.readPairs(&reader)
                    case "u": id = try reader.readInt64()
                    default: break
                    }
                }
            default: break
            }
        }
        guard let kind else { throw FrameError.missing("type") }
        guard let time else { throw FrameError.missing("ts") }
        guard let symbol else { throw FrameError.missing("data.s") }
        guard let id else { throw FrameError.missing("data.u") }
        return BookUpdate(
            kind: kind, exchange: .bybit, symbol: symbol, bids: bids ?? [], asks: asks ?? [], updateID: id,
            eventTimeNanos: try FrameParsing.nanoseconds(milliseconds: time, field: "ts"), receiveTimeNanos: receivedAt
        )
    }
}
