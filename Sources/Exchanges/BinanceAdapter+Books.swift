import CoinfluxCore

/// Binance's diff-depth stream, kept in sync with its REST snapshot the documented way
/// ("How to manage a local order book correctly"):
///
/// - Subscribe `<symbol>@depth@100ms`: `{"e":"depthUpdate","E":ms,"s":"BNBBTC","U":157,"u":160,
///   "b":[["0.0024","10"]],"a":[["0.0026","100"]]}`, the changed levels with their absolute
///   quantity (`"0"` removes the level) and the range `U`…`u` of update ids the event covers.
/// - Snapshot `GET /api/v3/depth?symbol=BNBBTC&limit=100` (weight 5):
///   `{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[…]}`.
/// - Buffer the stream, get a snapshot; one whose `lastUpdateId` is below the first buffered `U` is
///   fetched again; drop deltas with `u` ≤ `lastUpdateId`; then each delta must start at or before
///   the book's id + 1 (normally `U` = previous `u` + 1), else the book restarts. (``BookSynchronizer``)
/// - Levels beyond the snapshot's 100 are unknown until they change, so only the top is published.
extension BinanceAdapter: OrderBookAdapter {
    /// Levels of the REST snapshot: the most that weighs 5.
    static let bookSnapshotLimit = 100

    public var bookSequencing: BookSequencing { .snapshotThenRangedDeltas }

    /// The diff stream carries the whole book; the snapshot's 100 levels bound what is known.
    public func bookDepth(for depth: Int) -> Int { min(depth, Self.bookSnapshotLimit) }

    public func bookSubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame] {
        subscribe(streams: symbols.map { exchangeSymbol(for: $0) + "@depth@100ms" })
    }

    public func parseBookMessage(frame: UnsafeRawBufferPointer, receivedAt: Int64, into updates: inout [BookUpdate]) throws(FrameError) -> Bool {
        try FrameParsing.parse(frame, into: &updates) { reader, updates in
            if let type = try reader.stringMember(where: { $0 == "e" }), type == "depthUpdate" {
                updates.append(try Self.parseDepthUpdate(&reader, receivedAt: receivedAt))
                return true
            }
            guard try Self.isWrappedDepthUpdate(reader) else {
                try reader.skipValue()
                return false
            }
            try reader.beginObject()
            while let key = try reader.nextKey() {
                if key == "data" { updates.append(try Self.parseDepthUpdate(&reader, receivedAt: receivedAt)) }
            }
            return true
        }
    }

    /// Whether the value that starts here is the combined-stream wrapper around a `depthUpdate`
    /// (`{"stream":…,"data":{"e":"depthUpdate",…}}`); the reader does not move.
    private static func isWrappedDepthUpdate(_ reader: JSONReader) throws -> Bool {
        var probe = reader
        guard try probe.peekKind() == .object else { return false }
        try probe.beginObject()
        while let key = try probe.nextKey() {
            guard key == "data" else { continue }
            guard let type = try probe.stringMember(where: { $0 == "e" }) else { return false }
            return type == "depthUpdate"
        }
        return false
    }

    public func bookSnapshotPath(for symbol: Symbol) -> String? {
        "/api/v3/depth?symbol=\(exchangeSymbol(for: symbol).uppercased())&limit=\(Self.bookSnapshotLimit)"
    }

    /// `{"lastUpdateId":…,"bids":[…],"asks":[…]}`; an error body (`{"code":-1121,"msg":"Invalid symbol."}`) throws.
    public func parseBookSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> BookUpdate {
        try FrameParsing.parse(body) { reader in
            var id: Int64?
            var bids: [BookLevel]?
            var asks: [BookLevel]?
            var code: String?
            var message: String?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "lastUpdateId": id = try reader.readInt64()
                case "bids": bids = try BookLevels.readPairs(&reader)
                case "asks": asks = try BookLevels.readPairs(&reader)
                case "code": code = try reader.readStringOrNumber()
                case "msg": message = try reader.readString()
                default: break
                }
            }
            if code != nil || message != nil { throw FrameError.exchangeReply("\(code ?? "?"): \(message ?? "")") }
            guard let id else { throw FrameError.missing("lastUpdateId") }
            guard let bids else { throw FrameError.missing("bids") }
            guard let asks else { throw FrameError.missing("asks") }
            // The snapshot carries no time: it is as of its receipt.
            return BookUpdate(
                kind: .snapshot, exchange: .binance, symbol: symbol, bids: bids, asks: asks,
                updateID: id, eventTimeNanos: receivedAt, receiveTimeNanos: receivedAt
            )
        }
    }

    /// The members of a `depthUpdate` event.
    private static func parseDepthUpdate(_ reader: inout JSONReader, receivedAt: Int64) throws -> BookUpdate {
        var time: Int64?
        var symbol: Symbol?
        var first: Int64?
        var last: Int64?
        var bids: [BookLevel]?
        var asks: [BookLevel]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "E": time = try reader.readInt64()
            case "s": symbol = try readSymbol(&reader)
            case "U": first = try reader.readInt64()
            case "u": last = try reader.readInt64()
            case "b": bids = try BookLevels.readPairs(&reader)
            case "a": asks = try BookLevels.readPairs(&reader)
            default: break
            }
        }
        guard let symbol else { throw FrameError.missing("s") }
        guard let time else { throw FrameError.missing("E") }
        guard let first else { throw FrameError.missing("U") }
        guard let last else { throw FrameError.missing("u") }
        guard first <= last else { throw FrameError("U \(first) is after u \(last)") }
        return BookUpdate(
            kind: .delta, exchange: .binance, symbol: symbol, bids: bids ?? [], asks: asks ?? [],
            firstUpdateID: first, updateID: last,
            eventTimeNanos: try FrameParsing.nanoseconds(milliseconds: time, field: "E"), receiveTimeNanos: receivedAt
        )
    }
}
