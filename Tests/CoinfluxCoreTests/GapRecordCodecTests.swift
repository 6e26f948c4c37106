import CoinfluxCore
import Testing

/// Gap records and backfilled trades on the wire, beside the events.
@Suite("Gap records in the event codec")
struct GapRecordCodecTests {
    static let gap = SeriesGap(channel: .trade, exchange: .binance, symbol: Symbol(base: "BTC", quote: "USDT"), cause: .connection,
                               startNanos: 1_672_515_782_136_000_000, endNanos: 1_672_515_792_136_000_000, recovered: 41,
                               unrecovered: 0, repair: .yes, recordedNanos: 1_672_515_793_000_000_000)

    @Test("a gap record encodes to the documented form and decodes back unchanged")
    func roundTrip() throws {
        var buffer: [UInt8] = []
        try EventCodec.encode(Self.gap, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == """
            {"v":1,"type":"gap","exchange":"binance","symbol":"BTC-USDT","channel":"trade","cause":"connection",\
            "start_ns":1672515782136000000,"end_ns":1672515792136000000,"recovered":41,"unrecovered":0,"repair":"yes",\
            "recorded_ns":1672515793000000000}
            """)
        let decoded = try buffer.withUnsafeBytes { bytes throws(EventCodec.DecodeError) in try EventCodec.decodeRecord(bytes) }
        #expect(decoded == .gap(Self.gap))
        #expect(EventCodec.key(for: MarketRecord.gap(Self.gap)) == "BTC")
    }

    @Test("every cause and repair, and an unknown number of unrecovered trades, survive the round trip")
    func everyValue() throws {
        for cause in SeriesGap.Cause.allCases {
            for repair in SeriesGap.Repair.allCases {
                var gap = Self.gap
                gap.cause = cause
                gap.repair = repair
                gap.unrecovered = nil
                gap.channel = repair == .no ? .ticker : .trade
                var buffer: [UInt8] = []
                try EventCodec.encode(MarketRecord.gap(gap), into: &buffer)
                #expect(!String(decoding: buffer, as: UTF8.self).contains("unrecovered"))
                let decoded = try buffer.withUnsafeBytes { bytes throws(EventCodec.DecodeError) in try EventCodec.decodeRecord(bytes) }
                #expect(decoded == .gap(gap))
            }
        }
    }

    @Test("a backfilled trade carries backfill:true; a live one does not mention it")
    func backfillFlag() throws {
        var trade = MarketEvent(kind: .trade, exchange: .upbit, symbol: Symbol(base: "BTC", quote: "KRW"), price: 1, size: 2,
                                eventTimeNanos: 5_000_000, receiveTimeNanos: 6_000_000, tradeID: "7", side: .buy)
        #expect(!String(decoding: try EventCodec.encode(trade), as: UTF8.self).contains("backfill"))
        trade.isBackfilled = true
        let bytes = try EventCodec.encode(trade)
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix(",\"backfill\":true}"))
        #expect(try EventCodec.decode(bytes) == trade)
    }

    @Test("decode() of a gap record, and gap records missing a member, are errors naming it")
    func errors() throws {
        let bytes = try { () throws(EventCodec.EncodeError) -> [UInt8] in
            var buffer: [UInt8] = []
            try EventCodec.encode(Self.gap, into: &buffer)
            return buffer
        }()
        #expect(throws: EventCodec.DecodeError.invalidField("type", reason: "a gap record, not a market event")) {
            try EventCodec.decode(bytes)
        }
        for member in ["channel", "cause", "repair", "start_ns", "end_ns", "recorded_ns"] {
            let text = String(decoding: bytes, as: UTF8.self)
            let without = text.replacingOccurrences(of: "\"\(member)\":", with: "\"x_\(member)\":")
            #expect(throws: EventCodec.DecodeError.missingField(member)) {
                try Array(without.utf8).withUnsafeBytes { bytes throws(EventCodec.DecodeError) in try EventCodec.decodeRecord(bytes) }
            }
        }
        let badCause = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"connection\"", with: "\"gremlins\"")
        #expect(throws: EventCodec.DecodeError.invalidField("cause", reason: "unknown value \"gremlins\"")) {
            try Array(badCause.utf8).withUnsafeBytes { bytes throws(EventCodec.DecodeError) in try EventCodec.decodeRecord(bytes) }
        }
    }
}
