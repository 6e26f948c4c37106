extension EventCodec {
    /// Decodes one event from its JSON form (see ``EventCodec``). Members may come in any order;
    /// unknown ones are skipped; optional ones may also be `null`.
    ///
    /// - Throws: ``DecodeError``: `.malformed` for anything but one well-formed JSON object,
    ///   `.unsupportedVersion` for a `v` other than ``version``, `.missingField`, `.invalidField`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> MarketEvent {
        switch try decodeRecord(bytes) {
        case .event(let event): return event
        case .gap: throw .invalidField("type", reason: "a gap record, not a market event")
        case .book: throw .invalidField("type", reason: "a book, not a market event")
        case .status: throw .invalidField("type", reason: "a market status, not a market event")
        case .fx: throw .invalidField("type", reason: "an FX rate, not a market event")
        }
    }

    /// Decodes one record, a market event, a gap record (`"type":"gap"`), a book, a market status
    /// or an FX rate, from its JSON form.
    /// - Throws: ``DecodeError`` as ``decode(_:)-(UnsafeRawBufferPointer)`` does.
    public static func decodeRecord(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> MarketRecord {
        var reader = JSONReader(bytes: bytes)
        return try decodeObject(&reader, bytes: bytes)
    }

    /// Decodes one event from any byte collection (`[UInt8]`, `Data`…); contiguous storage is read in place.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(DecodeError) -> MarketEvent {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(DecodeError) in try decode(UnsafeRawBufferPointer(buffer)) }
        } ?? Array(bytes).withUnsafeBytes { buffer in
            Result { () throws(DecodeError) in try decode(buffer) }
        }
        return try result.get()
    }

    private static func decodeObject(_ reader: inout JSONReader, bytes: UnsafeRawBufferPointer) throws(DecodeError) -> MarketRecord {
        var hasVersion = false
        var kind: RecordType?
        var exchange: Exchange?
        var symbol: Symbol?
        var price: Double?
        var size: Double?
        var bestBid: Double?
        var bestBidSize: Double?
        var bestAsk: Double?
        var bestAskSize: Double?
        var open24h: Double?
        var high24h: Double?
        var low24h: Double?
        var volume24h: Double?
        var quoteVolume24h: Double?
        var eventTime: Int64?
        var receiveTime: Int64?
        var tradeID: String?
        var sequence: Int64?
        var side = MarketEvent.TakerSide.unknown
        var isBackfilled = false
        var gap = GapFields()

        try syntax { () throws(JSONReader.Error) in try reader.beginObject() }
        while let key = try syntax({ () throws(JSONReader.Error) in try reader.nextKey() }) {
            switch key {
            case "v": hasVersion = try readVersion(&reader)
            case "type":
                kind = try named("type", &reader, in: kindNames)
                // A book has members of its own: read it again as one.
                if kind == .book { return .book(try decodeBook(bytes)) }
                if kind == .status { return .status(try decodeStatus(bytes)) }
                if kind == .fx { return .fx(try decodeFX(bytes)) }
            case "exchange": exchange = try named("exchange", &reader, in: exchangeNames)
            case "symbol": symbol = try readSymbol(&reader)
            case "price": price = try field("price") { () throws(JSONReader.Error) in try reader.readDouble() }
            case "size": size = try optionalDouble("size", &reader)
            case "bid": bestBid = try optionalDouble("bid", &reader)
            case "bid_size": bestBidSize = try optionalDouble("bid_size", &reader)
            case "ask": bestAsk = try optionalDouble("ask", &reader)
            case "ask_size": bestAskSize = try optionalDouble("ask_size", &reader)
            case "open_24h": open24h = try optionalDouble("open_24h", &reader)
            case "high_24h": high24h = try optionalDouble("high_24h", &reader)
            case "low_24h": low24h = try optionalDouble("low_24h", &reader)
            case "volume_24h": volume24h = try optionalDouble("volume_24h", &reader)
            case "quote_volume_24h": quoteVolume24h = try optionalDouble("quote_volume_24h", &reader)
            case "event_time_ns": eventTime = try field("event_time_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "receive_time_ns": receiveTime = try field("receive_time_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "trade_id":
                tradeID = try field("trade_id") { () throws(JSONReader.Error) in try reader.consumeNull() ? nil : reader.readString() }
            case "seq":
                sequence = try field("seq") { () throws(JSONReader.Error) in try reader.consumeNull() ? nil : reader.readInt64() }
            case "side": side = try named("side", &reader, in: sideNames)
            case "backfill": isBackfilled = try field("backfill") { () throws(JSONReader.Error) in try reader.readBool() }
            case "channel": gap.channel = try named("channel", &reader, in: channelNames)
            case "cause": gap.cause = try named("cause", &reader, in: causeNames)
            case "repair": gap.repair = try named("repair", &reader, in: repairNames)
            case "start_ns": gap.start = try field("start_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "end_ns": gap.end = try field("end_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "recorded_ns": gap.recorded = try field("recorded_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "recovered": gap.recovered = try field("recovered") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "unrecovered":
                gap.unrecovered = try field("unrecovered") { () throws(JSONReader.Error) in try reader.consumeNull() ? nil : reader.readInt64() }
            default: break
            }
        }
        // Broken JSON is reported as such before any schema complaint.
        try syntax { () throws(JSONReader.Error) in try reader.finish() }

        guard hasVersion else { throw .missingField("v") }
        guard let kind else { throw .missingField("type") }
        guard let exchange else { throw .missingField("exchange") }
        guard let symbol else { throw .missingField("symbol") }
        let eventKind: MarketEvent.Kind
        switch kind {
        case .gap: return .gap(try gap.record(exchange: exchange, symbol: symbol))
        case .book: return .book(try decodeBook(bytes))
        case .status: return .status(try decodeStatus(bytes))
        case .fx: return .fx(try decodeFX(bytes))
        case .ticker: eventKind = .ticker
        case .trade: eventKind = .trade
        }
        guard let price else { throw .missingField("price") }
        guard let eventTime else { throw .missingField("event_time_ns") }
        guard let receiveTime else { throw .missingField("receive_time_ns") }
        return .event(MarketEvent(
            kind: eventKind, exchange: exchange, symbol: symbol, price: price, size: size,
            bestBid: bestBid, bestBidSize: bestBidSize, bestAsk: bestAsk, bestAskSize: bestAskSize,
            open24h: open24h, high24h: high24h, low24h: low24h, volume24h: volume24h, quoteVolume24h: quoteVolume24h,
            eventTimeNanos: eventTime, receiveTimeNanos: receiveTime, tradeID: tradeID, sequence: sequence, side: side,
            isBackfilled: isBackfilled
        ))
    }

    /// The values of `"type"`.
    private enum RecordType: String, CaseIterable, Sendable {
        case ticker, trade, gap, book, status, fx
    }

    /// The members of a gap record, as they are read.
    private struct GapFields {
        var channel: MarketEvent.Kind?
        var cause: SeriesGap.Cause?
        var repair: SeriesGap.Repair?
        var start: Int64?
        var end: Int64?
        var recorded: Int64?
        var recovered: Int64 = 0
        var unrecovered: Int64?

        func record(exchange: Exchange, symbol: Symbol) throws(DecodeError) -> SeriesGap {
            guard let channel else { throw .missingField("channel") }
            guard let cause else { throw .missingField("cause") }
            guard let repair else { throw .missingField("repair") }
            guard let start else { throw .missingField("start_ns") }
            guard let end else { throw .missingField("end_ns") }
            guard let recorded else { throw .missingField("recorded_ns") }
            guard let recoveredCount = Int(exactly: recovered), recoveredCount >= 0 else {
                throw .invalidField("recovered", reason: "\(recovered) is not a count")
            }
            return SeriesGap(channel: channel, exchange: exchange, symbol: symbol, cause: cause, startNanos: start, endNanos: end,
                             recovered: recoveredCount, unrecovered: unrecovered.flatMap { Int(exactly: $0) }, repair: repair,
                             recordedNanos: recorded)
        }
    }

    /// The raw values of an enumeration's cases as bytes, to match names without building `String`s.
    struct NameTable<Value: CaseIterable & RawRepresentable<String> & Sendable>: Sendable {
        let entries: [(name: [UInt8], value: Value)] = Value.allCases.map { (Array($0.rawValue.utf8), $0) }

        func value(named view: JSONReader.StringView) -> Value? {
            guard !view.hasEscapes else { return (try? view.string()).flatMap(Value.init(rawValue:)) }
            let text = view.rawBytes
            for entry in entries where entry.name.count == text.count {
                if entry.name.withUnsafeBytes({ $0.elementsEqual(text) }) { return entry.value }
            }
            return nil
        }
    }

    private static let kindNames = NameTable<RecordType>()
    private static let channelNames = NameTable<MarketEvent.Kind>()
    private static let causeNames = NameTable<SeriesGap.Cause>()
    private static let repairNames = NameTable<SeriesGap.Repair>()
    static let exchangeNames = NameTable<Exchange>()
    private static let sideNames = NameTable<MarketEvent.TakerSide>()

    /// Reads `v`; true when it is ``version``, else throws `.unsupportedVersion`.
    /// Reads the members of a record of its own type (a book, a status, an FX rate): checks that
    /// `type` is `type`, hands every member but `v` and `type` to `read` (which returns false for
    /// one it does not know: skipped), then that the object ends and had a `v`.
    /// - Parameter kind: how the error names a record of `type` ("a book").
    static func readMembers(
        of bytes: UnsafeRawBufferPointer, type: StaticString, kind: String,
        _ read: (JSONReader.StringView, inout JSONReader) throws(DecodeError) -> Bool
    ) throws(DecodeError) {
        var reader = JSONReader(bytes: bytes)
        var hasVersion = false
        try syntax { () throws(JSONReader.Error) in try reader.beginObject() }
        while let key = try syntax({ () throws(JSONReader.Error) in try reader.nextKey() }) {
            switch key {
            case "v": hasVersion = try readVersion(&reader)
            case "type":
                let view = try field("type") { () throws(JSONReader.Error) in try reader.readStringView() }
                guard view == type else { throw .invalidField("type", reason: "\(quoted(view)) is not \(kind)") }
            default:
                if try !read(key, &reader) { try syntax { () throws(JSONReader.Error) in try reader.skipValue() } }
            }
        }
        try syntax { () throws(JSONReader.Error) in try reader.finish() }
        guard hasVersion else { throw .missingField("v") }
    }

    static func readVersion(_ reader: inout JSONReader) throws(DecodeError) -> Bool {
        let found = try field("v") { () throws(JSONReader.Error) in try reader.readInt64() }
        guard found == version else { throw .unsupportedVersion(found) }
        return true
    }

    /// Runs a read, reporting its failure as broken JSON.
    static func syntax<T>(_ read: () throws(JSONReader.Error) -> T) throws(DecodeError) -> T {
        do { return try read() } catch { throw .malformed(error) }
    }

    /// Runs the read of field `name`'s value, reporting a value of the wrong type as `.invalidField`
    /// and broken JSON as `.malformed`.
    static func field<T>(_ name: StaticString, _ read: () throws(JSONReader.Error) -> T) throws(DecodeError) -> T {
        do {
            return try read()
        } catch {
            switch error.reason {
            case .typeMismatch, .invalidNumber, .notAnInteger, .numberOutOfRange, .invalidUTF8, .invalidEscape:
                throw .invalidField(name.description, reason: error.reason.description)
            case .truncated, .unexpectedByte, .tooDeep, .trailingBytes:
                throw .malformed(error)
            }
        }
    }

    private static func optionalDouble(_ name: StaticString, _ reader: inout JSONReader) throws(DecodeError) -> Double? {
        try field(name) { () throws(JSONReader.Error) in try reader.consumeNull() ? nil : reader.readDouble() }
    }

    /// Reads a string naming a case of `Value` (its raw value).
    static func named<Value>(
        _ name: StaticString, _ reader: inout JSONReader, in table: NameTable<Value>
    ) throws(DecodeError) -> Value {
        let view = try field(name) { () throws(JSONReader.Error) in try reader.readStringView() }
        guard let value = table.value(named: view) else {
            throw .invalidField(name.description, reason: "unknown value \(quoted(view))")
        }
        return value
    }

    /// Reads `BASE-QUOTE`, with the rules of `Symbol(normalized:)`, straight from the bytes.
    static func readSymbol(_ reader: inout JSONReader) throws(DecodeError) -> Symbol {
        let view = try field("symbol") { () throws(JSONReader.Error) in try reader.readStringView() }
        if view.hasEscapes {
            let text = try field("symbol") { () throws(JSONReader.Error) in try view.string() }
            if let symbol = Symbol(normalized: text) { return symbol }
        } else if let dash = view.rawBytes.firstIndex(of: UInt8(ascii: "-")) {
            let base = UnsafeRawBufferPointer(rebasing: view.rawBytes[..<dash])
            let quote = UnsafeRawBufferPointer(rebasing: view.rawBytes[(dash + 1)...])
            if !base.isEmpty, !quote.isEmpty, base.allSatisfy(Symbol.isAssetByte), quote.allSatisfy(Symbol.isAssetByte) {
                return Symbol(asciiBase: base, quote: quote)
            }
        }
        throw .invalidField("symbol", reason: "\(quoted(view)) is not BASE-QUOTE made of letters and digits")
    }

    /// The text of `view` in quotes, cut to 64 characters: error reasons end up in logs.
    static func quoted(_ view: JSONReader.StringView) -> String {
        let text = view.description
        return "\"" + (text.count > 64 ? String(text.prefix(64)) + "…" : text) + "\""
    }
}
