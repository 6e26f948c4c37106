import CoinfluxCore
import Testing

/// Market status records on `market.ticks`, beside the events.
@Suite("Market status records in the event codec")
struct MarketStatusCodecTests {
    static let status = MarketStatus(exchange: .upbit, symbol: Symbol(base: "ETH", quote: "KRW"),
                                     flags: MarketFlags(warning: true, cautions: ["TRADING_VOLUME_SOARING", "PRICE_FLUCTUATIONS"]),
                                     observedNanos: 1_672_515_782_136_000_000)

    static func decode(_ text: String) throws(EventCodec.DecodeError) -> MarketRecord {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(EventCodec.DecodeError) in try EventCodec.decodeRecord(buffer) } }
        return try result.get()
    }

    static func decodeError(_ text: String) -> EventCodec.DecodeError? {
        do {
            let record = try decode(text)
            Issue.record("decoded: \(record)")
            return nil
        } catch {
            return error
        }
    }

    /// The field an `.invalidField` error names.
    static func invalidField(_ error: EventCodec.DecodeError?) -> String? {
        guard case .invalidField(let field, _) = error else { return nil }
        return field
    }

    @Test("a status encodes to the documented form, cautions sorted, and decodes back unchanged")
    func roundTrip() throws {
        var buffer: [UInt8] = []
        try EventCodec.encode(MarketRecord.status(Self.status), into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text == """
            {"v":1,"type":"status","exchange":"upbit","symbol":"ETH-KRW","warning":true,\
            "cautions":["PRICE_FLUCTUATIONS","TRADING_VOLUME_SOARING"],"observed_ns":1672515782136000000}
            """)
        #expect(try Self.decode(text) == .status(Self.status))
        #expect(EventCodec.key(for: MarketRecord.status(Self.status)) == "ETH")
    }

    @Test("a market without flags has warning false and no cautions; member order does not matter")
    func unflagged() throws {
        let clear = MarketStatus(exchange: .bithumb, symbol: Symbol(base: "BTC", quote: "KRW"), flags: .none, observedNanos: 5)
        var buffer: [UInt8] = []
        try EventCodec.encode(clear, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self).hasSuffix(#""warning":false,"cautions":[],"observed_ns":5}"#))
        #expect(try Self.decode(String(decoding: buffer, as: UTF8.self)) == .status(clear))
        let reordered = #"{"observed_ns":5,"cautions":[],"extra":{"a":[1]},"warning":false,"symbol":"BTC-KRW","exchange":"bithumb","type":"status","v":1}"#
        #expect(try Self.decode(reordered) == .status(clear))
        #expect(!clear.flags.isFlagged && Self.status.flags.isFlagged)
    }

    @Test("missing members, wrong types and alert names that are not one are refused with the field named")
    func rejected() {
        let valid = #"{"v":1,"type":"status","exchange":"upbit","symbol":"ETH-KRW","warning":true,"cautions":["A"],"observed_ns":1}"#
        for field in ["v", "exchange", "symbol", "warning", "cautions", "observed_ns"] {
            let pattern = #""\#(field)":("[^"]*"|\[[^\]]*\]|[a-z0-9]+),?"#
            let text = valid.replacingOccurrences(of: pattern, with: "", options: .regularExpression).replacingOccurrences(of: ",}", with: "}")
            #expect(Self.decodeError(text) == .missingField(field), "\(text)")
        }
        #expect(Self.invalidField(Self.decodeError(valid.replacingOccurrences(of: #""warning":true"#, with: #""warning":"yes""#))) == "warning")
        #expect(Self.decodeError(valid.replacingOccurrences(of: #"["A"]"#, with: #"["a b"]"#)) == .invalidField("cautions", reason: #""a b" is not an alert type"#))
        #expect(Self.invalidField(Self.decodeError(valid.replacingOccurrences(of: #"["A"]"#, with: "[1]"))) == "cautions")
        #expect(Self.invalidField(Self.decodeError(valid.replacingOccurrences(of: #"["A"]"#, with: #""A""#))) == "cautions")
        #expect(Self.decodeError(valid.replacingOccurrences(of: #""v":1"#, with: #""v":2"#)) == .unsupportedVersion(2))
        #expect(Self.decodeError(String(valid.dropLast())) != nil)
    }

    @Test("alert names: 1–64 upper-case letters, digits and _")
    func cautionNames() {
        #expect(MarketFlags.isCautionName(Array("PRICE_FLUCTUATIONS".utf8)))
        #expect(MarketFlags.isCautionName(Array("A1".utf8)))
        #expect(!MarketFlags.isCautionName(Array("".utf8)))
        #expect(!MarketFlags.isCautionName(Array("price".utf8)))
        #expect(!MarketFlags.isCautionName(Array("A,B".utf8)))
        #expect(!MarketFlags.isCautionName(Array(String(repeating: "A", count: 65).utf8)))
        #expect(MarketFlags(cautions: ["B", "A", "B"]).cautions == ["A", "B"])
        #expect(MarketFlags(warning: true).merged(with: MarketFlags(cautions: ["X"])) == MarketFlags(warning: true, cautions: ["X"]))
    }
}
