import CoinfluxCore
import Testing

/// FX source rates on the FX topic, beside the `USDT-KRW` tickers.
@Suite("FX rate records in the event codec")
struct FXRateCodecTests {
    static let rate = FXRate(krwPerUSD: 1_391.5, quotedNanos: 1_765_152_000_000_000_000, observedNanos: 1_765_180_800_123_000_000)

    @Test("a rate encodes to the documented form, is keyed USD, and decodes back unchanged")
    func roundTrip() throws {
        var buffer: [UInt8] = []
        try EventCodec.encode(MarketRecord.fx(Self.rate), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == """
            {"v":1,"type":"fx","symbol":"USD-KRW","rate":1391.5,"quoted_ns":1765152000000000000,"observed_ns":1765180800123000000}
            """)
        #expect(EventCodec.key(for: MarketRecord.fx(Self.rate)) == "USD")
        #expect(try MarketStatusCodecTests.decode(String(decoding: buffer, as: UTF8.self)) == .fx(Self.rate))
        // Members in another order, unknown ones skipped.
        #expect(try MarketStatusCodecTests.decode(#"{"observed_ns":2,"extra":[1],"rate":1300,"quoted_ns":1,"symbol":"USD-KRW","type":"fx","v":1}"#)
            == .fx(FXRate(krwPerUSD: 1_300, quotedNanos: 1, observedNanos: 2)))
    }

    @Test("broken rate records are refused with the field named; a rate is not a market event")
    func malformed() throws {
        let invalid = MarketStatusCodecTests.invalidField
        let decodeError = MarketStatusCodecTests.decodeError
        #expect(invalid(decodeError(#"{"v":1,"type":"fx","symbol":"EUR-KRW","rate":1500,"quoted_ns":1,"observed_ns":2}"#)) == "symbol")
        #expect(invalid(decodeError(#"{"v":1,"type":"fx","symbol":"USD-KRW","rate":0,"quoted_ns":1,"observed_ns":2}"#)) == "rate")
        #expect(invalid(decodeError(#"{"v":1,"type":"fx","symbol":"USD-KRW","rate":-3,"quoted_ns":1,"observed_ns":2}"#)) == "rate")
        #expect(decodeError(#"{"v":1,"type":"fx","symbol":"USD-KRW","quoted_ns":1,"observed_ns":2}"#) == .missingField("rate"))
        #expect(decodeError(#"{"v":1,"type":"fx","symbol":"USD-KRW","rate":1300,"observed_ns":2}"#) == .missingField("quoted_ns"))
        #expect(decodeError(#"{"v":1,"type":"fx","symbol":"USD-KRW","rate":1300,"quoted_ns":1}"#) == .missingField("observed_ns"))
        #expect(decodeError(#"{"v":2,"type":"fx","symbol":"USD-KRW","rate":1300,"quoted_ns":1,"observed_ns":2}"#) == .unsupportedVersion(2))
        guard case .malformed = decodeError(#"{"v":1,"type":"fx","symbol":"USD-KRW","rate":1300,"quoted_ns":1,"observed_ns":2"#) else {
            Issue.record("a truncated record is malformed JSON")
            return
        }
        var buffer: [UInt8] = []
        try EventCodec.encode(MarketRecord.fx(Self.rate), into: &buffer)
        #expect(throws: EventCodec.DecodeError.self) { try EventCodec.decode(buffer) }
        #expect(throws: EventCodec.EncodeError.self) {
            var out: [UInt8] = []
            try EventCodec.encode(FXRate(krwPerUSD: .nan, quotedNanos: 0, observedNanos: 0), into: &out)
        }
    }
}
