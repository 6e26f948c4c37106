/// The JSON form of an ``FXRate`` on the FX topic, beside the `USDT-KRW` tickers:
///
/// ```json
/// {"v":1,"type":"fx","symbol":"USD-KRW","rate":1391.5,"quoted_ns":1765152000000000000,
///  "observed_ns":1765180800123000000}
/// ```
///
/// Readers older than FX records skip them on the FX topic (they are not market events).
extension EventCodec {
    /// Appends the JSON form of `rate` to `buffer`. On error nothing is appended.
    /// - Throws: ``EncodeError/nonFiniteNumber(field:)`` for a rate that is not finite.
    public static func encode(_ rate: FXRate, into buffer: inout [UInt8]) throws(EncodeError) {
        try checkFinite(rate.krwPerUSD, "rate")
        append("{\"v\":", to: &buffer)
        appendDecimal(version, to: &buffer)
        append(",\"type\":\"fx\",\"symbol\":\"USD-KRW\",\"rate\":", to: &buffer)
        appendShortest(rate.krwPerUSD, to: &buffer)
        append(",\"quoted_ns\":", to: &buffer)
        appendDecimal(rate.quotedNanos, to: &buffer)
        append(",\"observed_ns\":", to: &buffer)
        appendDecimal(rate.observedNanos, to: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// Decodes one FX record from its JSON form. Members may come in any order; unknown ones are skipped.
    /// - Throws: ``DecodeError`` as ``decodeRecord(_:)`` does; `.invalidField("symbol")` for a
    ///   pair other than `USD-KRW`, `.invalidField("rate")` for a rate not above zero.
    public static func decodeFX(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> FXRate {
        var symbol: Symbol?
        var rate: Double?
        var quotedAt: Int64?
        var observed: Int64?
        try readMembers(of: bytes, type: "fx", kind: "an FX rate") { key, reader throws(DecodeError) in
            switch key {
            case "symbol": symbol = try readSymbol(&reader)
            case "rate": rate = try field("rate") { () throws(JSONReader.Error) in try reader.readDouble() }
            case "quoted_ns": quotedAt = try field("quoted_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            case "observed_ns": observed = try field("observed_ns") { () throws(JSONReader.Error) in try reader.readInt64() }
            default: return false
            }
            return true
        }
        guard let symbol else { throw .missingField("symbol") }
        guard symbol == FXRate.symbol else { throw .invalidField("symbol", reason: "\(symbol) is not USD-KRW") }
        guard let rate else { throw .missingField("rate") }
        guard let quotedAt else { throw .missingField("quoted_ns") }
        guard let observed else { throw .missingField("observed_ns") }
        let fx = FXRate(krwPerUSD: rate, quotedNanos: quotedAt, observedNanos: observed)
        guard fx.isUsable else { throw .invalidField("rate", reason: "\(rate) is not a rate above zero") }
        return fx
    }
}
