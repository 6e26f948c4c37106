/// The JSON form of a ``MarketStatus`` on `market.ticks`, beside events and gaps:
///
/// ```json
/// {"v":1,"type":"status","exchange":"upbit","symbol":"ETH-KRW","warning":true,
///  "cautions":["PRICE_FLUCTUATIONS"],"observed_ns":1672515782136000000}
/// ```
///
/// `cautions` lists the alert types in force, sorted (empty when none). Readers older than status
/// records dead-letter them.
extension EventCodec {
    /// Appends the JSON form of `status` to `buffer`. On error nothing is appended.
    public static func encode(_ status: MarketStatus, into buffer: inout [UInt8]) throws(EncodeError) {
        try validate(status.symbol)
        appendHeader(type: "status", exchange: status.exchange, symbol: status.symbol, to: &buffer)
        append(status.flags.warning ? ",\"warning\":true,\"cautions\":[" : ",\"warning\":false,\"cautions\":[", to: &buffer)
        for (index, caution) in status.flags.cautions.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            JSONString.write(caution) { buffer.append($0) }
        }
        append("],\"observed_ns\":", to: &buffer)
        appendDecimal(status.observedNanos, to: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// Decodes one status record from its JSON form. Members may come in any order; unknown ones are skipped.
    /// - Throws: ``DecodeError`` as ``decodeRecord(_:)`` does; `.invalidField("type")` for a record
    ///   that is not a status, `.invalidField("cautions")` for an alert type that is not
    ///   upper-case letters, digits and `_` (``MarketFlags/isCautionName(_:)``).
    public static func decodeStatus(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> MarketStatus {
        var exchange: Exchange?
        var symbol: Symbol?
        var warning: Bool?
        var cautions: [String]?
        var observed: Int64?
        try readMembers(of: bytes, type: "status", kind: "a status") { key, reader throws(DecodeError) in
            switch key {
            case "exchange": exchange = try named("exchange", &reader, in: exchangeNames)
            case "symbol": symbol = try readSymbol(&reader)
            case "warning": warning = try field("warning") { () throws(JSONReader.Error) in try reader.readBool() }
            case "cautions": cautions = try readCautions(&reader)
            case "observed_ns": observed = try field("observed_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            default: return false
            }
            return true
        }
        guard let exchange else { throw .missingField("exchange") }
        guard let symbol else { throw .missingField("symbol") }
        guard let warning else { throw .missingField("warning") }
        guard let cautions else { throw .missingField("cautions") }
        guard let observed else { throw .missingField("observed_ns") }
        return MarketStatus(exchange: exchange, symbol: symbol, flags: MarketFlags(warning: warning, cautions: cautions), observedNanos: observed)
    }

    /// `["TYPE",…]`, each an alert type name.
    private static func readCautions(_ reader: inout JSONReader) throws(DecodeError) -> [String] {
        var cautions: [String] = []
        try field("cautions") { () throws(JSONReader.Error) in try reader.beginArray() }
        while try syntax({ () throws(JSONReader.Error) in try reader.nextElement() }) {
            let view = try field("cautions") { () throws(JSONReader.Error) in try reader.readStringView() }
            guard !view.hasEscapes, MarketFlags.isCautionName(view.rawBytes) else {
                throw .invalidField("cautions", reason: "\(quoted(view)) is not an alert type")
            }
            cautions.append(view.description)
        }
        return cautions
    }
}
