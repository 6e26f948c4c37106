import CoinfluxCore

/// The order-book side of an exchange's public protocol: how to subscribe to books, how their
/// messages follow each other, and how to parse them (and, where the exchange needs one, its REST
/// snapshot) into `BookUpdate`s.
///
/// Pure like `ExchangeAdapter`: the book feed owns the socket and calls these with bytes.
public protocol OrderBookAdapter: ExchangeAdapter {
    /// How the exchange's book messages follow each other (and so how a book is resynchronised).
    var bookSequencing: BookSequencing { get }
    /// The levels per side the exchange will send when `depth` are wanted: the smallest depth it
    /// offers at or above `depth` (its largest when none is), or what it always sends.
    func bookDepth(for depth: Int) -> Int
    /// Frames subscribing these markets' books, `depth` levels per side where the exchange lets the
    /// client choose (``bookDepth(for:)`` of it).
    func bookSubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame]
    /// Frames ending those subscriptions (sent before subscribing again for a fresh snapshot, the
    /// ``BookRecovery/resubscribe`` recovery); empty where the exchange needs none.
    func bookUnsubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame]
    /// Parses one frame if it is a book message.
    /// - Returns: true when it was one (its updates appended), false for any other frame.
    /// - Throws: `FrameError` for a malformed book message; nothing is appended then.
    func parseBookMessage(frame: UnsafeRawBufferPointer, receivedAt: Int64, into updates: inout [BookUpdate]) throws(FrameError) -> Bool
    /// The REST path (with query) of a book snapshot of `symbol` (the ``BookRecovery/restSnapshot``
    /// recovery); nil where the exchange needs none.
    func bookSnapshotPath(for symbol: Symbol) -> String?
    /// Parses the body of a ``bookSnapshotPath(for:)`` request.
    /// - Throws: `FrameError` for a malformed body or an exchange error reply.
    func parseBookSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> BookUpdate
}

extension OrderBookAdapter {
    /// Parses one frame of a book connection: a book message into `updates`, anything else (acks,
    /// pongs, errors) as the market-data parser reads it.
    public func parseBook(frame: UnsafeRawBufferPointer, receivedAt: Int64, into updates: inout [BookUpdate]) throws(FrameError) -> FrameKind {
        if try parseBookMessage(frame: frame, receivedAt: receivedAt, into: &updates) { return .data }
        var events: [MarketEvent] = []
        let kind = try parse(frame: frame, receivedAt: receivedAt, into: &events)
        return kind == .data ? .ignored : kind
    }

    public func bookUnsubscriptionFrames(for symbols: [Symbol], depth: Int) -> [OutgoingFrame] { [] }

    public func bookSnapshotPath(for symbol: Symbol) -> String? { nil }

    public func parseBookSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> BookUpdate {
        throw FrameError("\(exchange) serves no REST book snapshot")
    }
}

/// Readers of the exchanges' two shapes of price levels.
enum BookLevels {
    /// Room reserved per side: a 20-level update fills it without growing the array five times.
    static let expectedLevels = 32

    /// `[["16493.50","0.006"],…]` (Binance, Bybit): price and quantity as strings or numbers.
    static func readPairs(_ reader: inout JSONReader) throws -> [BookLevel] {
        var levels: [BookLevel] = []
        levels.reserveCapacity(expectedLevels)
        try reader.beginArray()
        while try reader.nextElement() {
            try reader.beginArray()
            guard try reader.nextElement() else { throw FrameError("a price level without a price") }
            let price = try reader.readDouble()
            guard try reader.nextElement() else { throw FrameError("a price level without a quantity") }
            let size = try reader.readDouble()
            while try reader.nextElement() { try reader.skipValue() }
            levels.append(try level(price: price, size: size))
        }
        return levels
    }

    /// `[{"price":"695.5","qty":"5000"},…]` (Coinone; its SHORT format's `p`/`q`).
    static func readObjects(_ reader: inout JSONReader) throws -> [BookLevel] {
        var levels: [BookLevel] = []
        levels.reserveCapacity(expectedLevels)
        try reader.beginArray()
        while try reader.nextElement() {
            var price: Double?
            var size: Double?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "price", "p": price = try reader.readDouble()
                case "qty", "q": size = try reader.readDouble()
                default: break
                }
            }
            guard let price else { throw FrameError.missing("price") }
            guard let size else { throw FrameError.missing("qty") }
            levels.append(try level(price: price, size: size))
        }
        return levels
    }

    /// A level, refusing a price that is not positive or a negative quantity.
    static func level(price: Double, size: Double) throws -> BookLevel {
        guard price > 0, size >= 0 else { throw FrameError("price level \(price) × \(size) is not a positive price and quantity") }
        return BookLevel(price: price, size: size)
    }

    /// The smallest of `offered` (ascending) at or above `depth`, else the largest.
    static func depth(_ depth: Int, offered: [Int]) -> Int {
        offered.first { $0 >= depth } ?? offered.last ?? depth
    }
}
