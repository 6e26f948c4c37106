import CoinfluxCore
import Testing

@Suite struct BookCodecTests {
    static let book = BookUpdate(
        kind: .snapshot, exchange: .binance, symbol: Symbol(base: "BTC", quote: "USDT"),
        bids: [BookLevel(price: 37_012.33, size: 1.2), BookLevel(price: 37_012.3, size: 0.4)],
        asks: [BookLevel(price: 37_012.34, size: 0.51)],
        updateID: 160, eventTimeNanos: 1_672_515_782_136_000_000, receiveTimeNanos: 1_672_515_782_136_512_345
    )

    static func decode(_ text: String) throws(EventCodec.DecodeError) -> BookUpdate {
        let result = Array(text.utf8).withUnsafeBytes { bytes in
            Result { () throws(EventCodec.DecodeError) in try EventCodec.decodeBook(bytes) }
        }
        return try result.get()
    }

    @Test func writesTheDocumentedFormAndReadsItBack() throws {
        var buffer: [UInt8] = []
        try EventCodec.encode(Self.book, into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text == #"{"v":1,"type":"book","exchange":"binance","symbol":"BTC-USDT","book":"snapshot","bids":[[37012.33,1.2],[37012.3,0.4]],"asks":[[37012.34,0.51]],"update_id":160,"event_time_ns":1672515782136000000,"receive_time_ns":1672515782136512345}"#)
        #expect(try Self.decode(text) == Self.book)
        #expect(EventCodec.key(for: Self.book) == "BTC")

        var delta = Self.book
        delta.kind = .delta
        delta.firstUpdateID = 157
        delta.updateID = nil
        delta.asks = []
        buffer.removeAll()
        try EventCodec.encode(delta, into: &buffer)
        #expect(try Self.decode(String(decoding: buffer, as: UTF8.self)) == delta)
    }

    @Test func refusesWhatIsNotABook() {
        #expect(throws: EventCodec.DecodeError.invalidField("type", reason: "\"trade\" is not a book")) {
            try Self.decode(#"{"v":1,"type":"trade"}"#)
        }
        #expect(throws: EventCodec.DecodeError.missingField("asks")) {
            try Self.decode(#"{"v":1,"type":"book","exchange":"upbit","symbol":"BTC-KRW","book":"snapshot","bids":[],"event_time_ns":1,"receive_time_ns":1}"#)
        }
        #expect(throws: EventCodec.DecodeError.unsupportedVersion(2)) { try Self.decode(#"{"v":2}"#) }
        let badLevels = [#"[[1]]"#, #"[[1,2,3]]"#, #"[1]"#, #"[["x",1]]"#]
        for levels in badLevels {
            #expect(throws: EventCodec.DecodeError.self) {
                try Self.decode(#"{"v":1,"type":"book","exchange":"upbit","symbol":"BTC-KRW","book":"snapshot","bids":\#(levels),"asks":[],"event_time_ns":1,"receive_time_ns":1}"#)
            }
        }
        var broken = Self.book
        broken.bids[0].size = .nan
        var buffer: [UInt8] = []
        #expect(throws: EventCodec.EncodeError.nonFiniteNumber(field: "bids")) { try EventCodec.encode(broken, into: &buffer) }
        #expect(buffer.isEmpty)
    }
}
