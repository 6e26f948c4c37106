/// The JSON form of ``MarketEvent`` on the Kafka topic `market.ticks`: compact, readable with
/// `kcat`, versioned.
///
/// ```json
/// {"v":1,"type":"trade","exchange":"binance","symbol":"BTC-USDT","price":16578.5,"size":0.001,
///  "event_time_ns":1672515782136000000,"receive_time_ns":1672515782136512345,"trade_id":"2847161","side":"buy"}
/// ```
///
/// | field | JSON | event property |
/// |---|---|---|
/// | `v` | integer, ``version`` | — |
/// | `type` | `"ticker"` / `"trade"` | `kind` |
/// | `exchange` | `"binance"`, `"upbit"`… | `exchange` |
/// | `symbol` | `"BTC-USDT"` | `symbol` |
/// | `price` | number | `price` |
/// | `size`, `bid`, `bid_size`, `ask`, `ask_size`, `open_24h`, `high_24h`, `low_24h`, `volume_24h`, `quote_volume_24h` | number, omitted when nil | `size`, `bestBid`, `bestBidSize`, `bestAsk`, `bestAskSize`, `open24h`, `high24h`, `low24h`, `volume24h`, `quoteVolume24h` |
/// | `event_time_ns`, `receive_time_ns` | integer, ns since the epoch | `eventTimeNanos`, `receiveTimeNanos` |
/// | `trade_id` | string, omitted when nil | `tradeID` |
/// | `seq` | integer, omitted when nil | `sequence` |
/// | `side` | `"buy"` / `"sell"`, omitted when unknown | `side` |
/// | `backfill` | `true`, omitted when false | `isBackfilled` |
///
/// A gap record (``SeriesGap``) shares `v`, `exchange` and `symbol`, has `"type":"gap"` and no
/// price or times of an event:
///
/// ```json
/// {"v":1,"type":"gap","exchange":"binance","symbol":"BTC-USDT","channel":"trade","cause":"connection",
///  "start_ns":1672515782136000000,"end_ns":1672515792136000000,"recovered":41,"unrecovered":0,"repair":"yes",
///  "recorded_ns":1672515793000000000}
/// ```
/// (`unrecovered` is omitted when unknown). Readers older than gap records dead-letter them.
///
/// Numbers are written as `Double.description` spells them (`appendShortest`), so they read back
/// as exactly the same `Double`; integers and times are written exactly. Decoding accepts
/// members in any order and skips unknown ones, so a later version 1 writer may add fields; a
/// change that old readers cannot ignore must raise ``version``.
public enum EventCodec {
    /// The schema version written in `v`; decoding any other fails with `.unsupportedVersion`.
    public static let version: Int64 = 1

    /// The Kafka message key of `event`: its base asset (`BTC`), so that every quote of one asset,
    /// from every exchange, lands in one partition.
    public static func key(for event: MarketEvent) -> String {
        event.symbol.base
    }

    /// The Kafka message key of a record: its symbol's base asset, like an event's.
    public static func key(for record: MarketRecord) -> String {
        record.symbol.base
    }

    /// Why an event cannot be encoded.
    public enum EncodeError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A NaN or infinite number, which JSON cannot carry; names the field.
        case nonFiniteNumber(field: String)
        /// A symbol whose assets are empty or not made of ASCII letters and digits, which would
        /// not read back.
        case invalidSymbol(String)

        public var description: String {
            switch self {
            case .nonFiniteNumber(let field): "\(field) is not a finite number"
            case .invalidSymbol(let symbol): "symbol \(symbol) is not BASE-QUOTE made of letters and digits"
            }
        }
    }

    /// Why bytes cannot be decoded into an event.
    public enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not a JSON object, or broken JSON.
        case malformed(JSONReader.Error)
        /// A schema version this reader does not know.
        case unsupportedVersion(Int64)
        /// A required field is absent.
        case missingField(String)
        /// A field of the wrong type, or with a value outside the schema (unknown exchange, bad symbol…).
        case invalidField(String, reason: String)

        public var description: String {
            switch self {
            case .malformed(let error): "malformed JSON: \(error)"
            case .unsupportedVersion(let version): "unsupported schema version \(version) (this reader knows \(EventCodec.version))"
            case .missingField(let field): "missing field \(field)"
            case .invalidField(let field, let reason): "invalid field \(field): \(reason)"
            }
        }
    }

    // MARK: Encoding

    /// Appends the JSON form of `event` to `buffer` (which the caller may reuse across events:
    /// clear it with `removeAll(keepingCapacity: true)`). On error nothing is appended.
    public static func encode(_ event: MarketEvent, into buffer: inout [UInt8]) throws(EncodeError) {
        try validate(event)
        appendHeader(type: event.kind.rawValue, exchange: event.exchange, symbol: event.symbol, to: &buffer)
        append(",\"price\":", to: &buffer)
        appendShortest(event.price, to: &buffer)
        appendOptional(",\"size\":", event.size, to: &buffer)
        appendOptional(",\"bid\":", event.bestBid, to: &buffer)
        appendOptional(",\"bid_size\":", event.bestBidSize, to: &buffer)
        appendOptional(",\"ask\":", event.bestAsk, to: &buffer)
        appendOptional(",\"ask_size\":", event.bestAskSize, to: &buffer)
        appendOptional(",\"open_24h\":", event.open24h, to: &buffer)
        appendOptional(",\"high_24h\":", event.high24h, to: &buffer)
        appendOptional(",\"low_24h\":", event.low24h, to: &buffer)
        appendOptional(",\"volume_24h\":", event.volume24h, to: &buffer)
        appendOptional(",\"quote_volume_24h\":", event.quoteVolume24h, to: &buffer)
        append(",\"event_time_ns\":", to: &buffer)
        appendDecimal(event.eventTimeNanos, to: &buffer)
        append(",\"receive_time_ns\":", to: &buffer)
        appendDecimal(event.receiveTimeNanos, to: &buffer)
        if let tradeID = event.tradeID {
            append(",\"trade_id\":", to: &buffer)
            appendString(tradeID, to: &buffer)
        }
        if let sequence = event.sequence {
            append(",\"seq\":", to: &buffer)
            appendDecimal(sequence, to: &buffer)
        }
        if event.side != .unknown {
            append(",\"side\":\"", to: &buffer)
            buffer.append(contentsOf: event.side.rawValue.utf8)
            buffer.append(UInt8(ascii: "\""))
        }
        if event.isBackfilled {
            append(",\"backfill\":true", to: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    /// Appends the JSON form of a gap record to `buffer`. On error nothing is appended.
    public static func encode(_ gap: SeriesGap, into buffer: inout [UInt8]) throws(EncodeError) {
        try validate(gap.symbol)
        appendHeader(type: "gap", exchange: gap.exchange, symbol: gap.symbol, to: &buffer)
        append(",\"channel\":\"", to: &buffer)
        buffer.append(contentsOf: gap.channel.rawValue.utf8)
        append("\",\"cause\":\"", to: &buffer)
        buffer.append(contentsOf: gap.cause.rawValue.utf8)
        append("\",\"start_ns\":", to: &buffer)
        appendDecimal(gap.startNanos, to: &buffer)
        append(",\"end_ns\":", to: &buffer)
        appendDecimal(gap.endNanos, to: &buffer)
        append(",\"recovered\":", to: &buffer)
        appendDecimal(Int64(gap.recovered), to: &buffer)
        if let unrecovered = gap.unrecovered {
            append(",\"unrecovered\":", to: &buffer)
            appendDecimal(Int64(unrecovered), to: &buffer)
        }
        append(",\"repair\":\"", to: &buffer)
        buffer.append(contentsOf: gap.repair.rawValue.utf8)
        append("\",\"recorded_ns\":", to: &buffer)
        appendDecimal(gap.recordedNanos, to: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// Appends the JSON form of a record (event, gap, book, status or FX rate) to `buffer`.
    public static func encode(_ record: MarketRecord, into buffer: inout [UInt8]) throws(EncodeError) {
        switch record {
        case .event(let event): try encode(event, into: &buffer)
        case .gap(let gap): try encode(gap, into: &buffer)
        case .book(let book): try encode(book, into: &buffer)
        case .status(let status): try encode(status, into: &buffer)
        case .fx(let rate): try encode(rate, into: &buffer)
        }
    }

    /// The JSON form of `event` in a new array.
    public static func encode(_ event: MarketEvent) throws(EncodeError) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        try encode(event, into: &buffer)
        return buffer
    }

    /// `{"v":1,"type":"…","exchange":"…","symbol":"BASE-QUOTE"`: the members every record starts with.
    static func appendHeader(type: String, exchange: Exchange, symbol: Symbol, to buffer: inout [UInt8]) {
        append("{\"v\":", to: &buffer)
        appendDecimal(version, to: &buffer)
        append(",\"type\":\"", to: &buffer)
        buffer.append(contentsOf: type.utf8)
        append("\",\"exchange\":\"", to: &buffer)
        buffer.append(contentsOf: exchange.rawValue.utf8)
        append("\",\"symbol\":\"", to: &buffer)
        buffer.append(contentsOf: symbol.base.utf8)
        buffer.append(UInt8(ascii: "-"))
        buffer.append(contentsOf: symbol.quote.utf8)
        buffer.append(UInt8(ascii: "\""))
    }

    static func validate(_ symbol: Symbol) throws(EncodeError) {
        guard isAsset(symbol.base), isAsset(symbol.quote) else { throw .invalidSymbol(symbol.description) }
    }

    private static func validate(_ event: MarketEvent) throws(EncodeError) {
        try validate(event.symbol)
        try checkFinite(event.price, "price")
        try checkFinite(event.size, "size")
        try checkFinite(event.bestBid, "bid")
        try checkFinite(event.bestBidSize, "bid_size")
        try checkFinite(event.bestAsk, "ask")
        try checkFinite(event.bestAskSize, "ask_size")
        try checkFinite(event.open24h, "open_24h")
        try checkFinite(event.high24h, "high_24h")
        try checkFinite(event.low24h, "low_24h")
        try checkFinite(event.volume24h, "volume_24h")
        try checkFinite(event.quoteVolume24h, "quote_volume_24h")
    }

    static func checkFinite(_ value: Double?, _ field: StaticString) throws(EncodeError) {
        if let value, !value.isFinite { throw .nonFiniteNumber(field: field.description) }
    }

    static func isAsset(_ asset: String) -> Bool {
        !asset.isEmpty && asset.utf8.allSatisfy(Symbol.isAssetByte)
    }

    static func append(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendOptional(_ prefix: StaticString, _ value: Double?, to buffer: inout [UInt8]) {
        guard let value else { return }
        append(prefix, to: &buffer)
        appendShortest(value, to: &buffer)
    }

    /// Appends `text` as a JSON string, escaping `"`, `\` and control characters (``JSONString``).
    private static func appendString(_ text: String, to buffer: inout [UInt8]) {
        JSONString.write(text) { buffer.append($0) }
    }
}
