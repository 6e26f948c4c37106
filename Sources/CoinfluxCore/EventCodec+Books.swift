/// The JSON form of a ``BookUpdate`` on the Kafka topic `market.books` (and of `coinflux decode`'s
/// book lines), beside the event codec's other records:
///
/// ```json
/// {"v":1,"type":"book","exchange":"binance","symbol":"BTC-USDT","book":"snapshot",
///  "bids":[[37012.33,1.2],[37012.3,0.4]],"asks":[[37012.34,0.51]],"update_id":160,
///  "event_time_ns":1672515782136000000,"receive_time_ns":1672515782136512345}
/// ```
///
/// `book` is `snapshot` (the levels are the whole book of the sent depth; the collector publishes
/// only these) or `delta` (changed levels; a size of 0 removes the price). Levels are
/// `[price, size]`, best first on `market.books`. `first_update_id` and `update_id` are omitted
/// when nil. Numbers read back as exactly the same `Double`.
extension EventCodec {
    /// The Kafka message key of a book: its base asset, like an event's, so a KRW book and the
    /// reference USDT book of one asset share a partition.
    public static func key(for book: BookUpdate) -> String {
        book.symbol.base
    }

    /// Appends the JSON form of `book` to `buffer`. On error nothing is appended.
    public static func encode(_ book: BookUpdate, into buffer: inout [UInt8]) throws(EncodeError) {
        try validate(book.symbol)
        for level in book.bids { try checkLevel(level, "bids") }
        for level in book.asks { try checkLevel(level, "asks") }
        appendHeader(type: "book", exchange: book.exchange, symbol: book.symbol, to: &buffer)
        append(",\"book\":\"", to: &buffer)
        buffer.append(contentsOf: book.kind.rawValue.utf8)
        append("\",\"bids\":", to: &buffer)
        appendLevels(book.bids, to: &buffer)
        append(",\"asks\":", to: &buffer)
        appendLevels(book.asks, to: &buffer)
        if let first = book.firstUpdateID {
            append(",\"first_update_id\":", to: &buffer)
            appendDecimal(first, to: &buffer)
        }
        if let id = book.updateID {
            append(",\"update_id\":", to: &buffer)
            appendDecimal(id, to: &buffer)
        }
        append(",\"event_time_ns\":", to: &buffer)
        appendDecimal(book.eventTimeNanos, to: &buffer)
        append(",\"receive_time_ns\":", to: &buffer)
        appendDecimal(book.receiveTimeNanos, to: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// Decodes one book from its JSON form. Members may come in any order; unknown ones are skipped.
    /// - Throws: ``DecodeError`` as ``decodeRecord(_:)`` does; `.invalidField("type")` for a record
    ///   that is not a book.
    public static func decodeBook(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> BookUpdate {
        var exchange: Exchange?
        var symbol: Symbol?
        var kind: BookUpdate.Kind?
        var bids: [BookLevel]?
        var asks: [BookLevel]?
        var first: Int64?
        var id: Int64?
        var eventTime: Int64?
        var receiveTime: Int64?
        try readMembers(of: bytes, type: "book", kind: "a book") { key, reader throws(DecodeError) in
            switch key {
            case "exchange": exchange = try named("exchange", &reader, in: exchangeNames)
            case "symbol": symbol = try readSymbol(&reader)
            case "book": kind = try named("book", &reader, in: bookKindNames)
            case "bids": bids = try field("bids") { () throws(JSONReader.Error) in try readLevels(&reader) }
            case "asks": asks = try field("asks") { () throws(JSONReader.Error) in try readLevels(&reader) }
            case "first_update_id": first = try field("first_update_id") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "update_id": id = try field("update_id") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "event_time_ns": eventTime = try field("event_time_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "receive_time_ns": receiveTime = try field("receive_time_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            default: return false
            }
            return true
        }
        guard let exchange else { throw .missingField("exchange") }
        guard let symbol else { throw .missingField("symbol") }
        guard let kind else { throw .missingField("book") }
        guard let bids else { throw .missingField("bids") }
        guard let asks else { throw .missingField("asks") }
        guard let eventTime else { throw .missingField("event_time_ns") }
        guard let receiveTime else { throw .missingField("receive_time_ns") }
        return BookUpdate(
            kind: kind, exchange: exchange, symbol: symbol, bids: bids, asks: asks,
            firstUpdateID: first, updateID: id, eventTimeNanos: eventTime, receiveTimeNanos: receiveTime
        )
    }

    private static let bookKindNames = NameTable<BookUpdate.Kind>()

    private static func checkLevel(_ level: BookLevel, _ field: StaticString) throws(EncodeError) {
        try checkFinite(level.price, field)
        try checkFinite(level.size, field)
    }

    private static func appendLevels(_ levels: [BookLevel], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "["))
        for (index, level) in levels.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(UInt8(ascii: "["))
            appendShortest(level.price, to: &buffer)
            buffer.append(UInt8(ascii: ","))
            appendShortest(level.size, to: &buffer)
            buffer.append(UInt8(ascii: "]"))
        }
        buffer.append(UInt8(ascii: "]"))
    }

    /// `[[price,size],…]`; a level must hold exactly two numbers.
    private static func readLevels(_ reader: inout JSONReader) throws(JSONReader.Error) -> [BookLevel] {
        var levels: [BookLevel] = []
        try reader.beginArray()
        while try reader.nextElement() {
            try reader.beginArray()
            guard try reader.nextElement() else { throw JSONReader.Error(reader.offset, .typeMismatch(expected: .number, found: .array)) }
            let price = try reader.readDouble()
            guard try reader.nextElement() else { throw JSONReader.Error(reader.offset, .typeMismatch(expected: .number, found: .array)) }
            let size = try reader.readDouble()
            guard try !reader.nextElement() else { throw JSONReader.Error(reader.offset, .typeMismatch(expected: .array, found: .number)) }
            levels.append(BookLevel(price: price, size: size))
        }
        return levels
    }
}
