import CoinfluxCore
import Foundation
import Testing


private func text(_ event: MarketEvent) throws -> String {
    String(decoding: try EventCodec.encode(event), as: UTF8.self)
}

private func decodeError(_ text: String) -> EventCodec.DecodeError? {
    decodeError(bytes: Array(text.utf8))
}

private func decodeError(bytes: [UInt8]) -> EventCodec.DecodeError? {
    do {
        _ = try EventCodec.decode(bytes)
        return nil
    } catch {
        return error
    }
}

@Suite("EventCodec")
struct EventCodecTests {
    static let trade = MarketEvent(
        kind: .trade, exchange: .binance, symbol: Symbol(base: "BTC", quote: "USDT"), price: 16578.5, size: 0.001,
        eventTimeNanos: 1_672_515_782_136_000_000, receiveTimeNanos: 1_672_515_782_136_512_345,
        tradeID: "2847161", side: .buy
    )
    static let tradeJSON = #"{"v":1,"type":"trade","exchange":"binance","symbol":"BTC-USDT","price":16578.5,"size":0.001,"event_time_ns":1672515782136000000,"receive_time_ns":1672515782136512345,"trade_id":"2847161","side":"buy"}"#

    static let ticker = MarketEvent(
        kind: .ticker, exchange: .upbit, symbol: Symbol(base: "BTC", quote: "KRW"), price: 31_883_000,
        bestBid: 31_882_000, bestBidSize: 0.0312, bestAsk: 31_883_000, bestAskSize: 1.25,
        open24h: 31_500_000, high24h: 32_100_000, low24h: 31_400_000, volume24h: 2345.67891234, quoteVolume24h: 74_873_471_923.12345,
        eventTimeNanos: 1_700_000_000_000_000_000, receiveTimeNanos: 1_700_000_000_002_345_678, sequence: 17_303_368_620_470_000
    )
    static let tickerJSON = #"{"v":1,"type":"ticker","exchange":"upbit","symbol":"BTC-KRW","price":31883000.0,"bid":31882000.0,"bid_size":0.0312,"ask":31883000.0,"ask_size":1.25,"open_24h":31500000.0,"high_24h":32100000.0,"low_24h":31400000.0,"volume_24h":2345.67891234,"quote_volume_24h":74873471923.12344,"event_time_ns":1700000000000000000,"receive_time_ns":1700000000002345678,"seq":17303368620470000}"#

    @Test("a trade encodes to the documented, kcat-readable form (~200 bytes)")
    func tradeGolden() throws {
        #expect(try text(Self.trade) == Self.tradeJSON)
        #expect(try EventCodec.encode(Self.trade).count < 256)
    }

    @Test("a ticker encodes every optional field; nil ones and unknown side are omitted")
    func tickerGolden() throws {
        #expect(try text(Self.ticker) == Self.tickerJSON)
    }

    @Test("the golden messages decode to the events")
    func goldenDecode() throws {
        #expect(try EventCodec.decode(Array(Self.tradeJSON.utf8)) == Self.trade)
        #expect(try EventCodec.decode(Array(Self.tickerJSON.utf8)) == Self.ticker)
        #expect(try EventCodec.decode(Data(Self.tradeJSON.utf8)) == Self.trade)
        let padded = Array(("  " + Self.tradeJSON + "\n").utf8)
        #expect(try EventCodec.decode(padded[1...]) == Self.trade)
        let decoded = try Array(Self.tradeJSON.utf8).withUnsafeBytes { try EventCodec.decode($0) }
        #expect(decoded == Self.trade)
    }

    @Test("the Kafka key is the base asset")
    func key() {
        #expect(EventCodec.key(for: Self.trade) == "BTC")
        #expect(EventCodec.key(for: Self.ticker) == "BTC")
        var eth = Self.trade
        eth.symbol = Symbol(base: "eth", quote: "krw")
        #expect(EventCodec.key(for: eth) == "ETH")
    }

    @Test("encode appends to a reused buffer and leaves it untouched on error")
    func bufferReuse() throws {
        var buffer = Array("prefix|".utf8)
        try EventCodec.encode(Self.trade, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix|" + Self.tradeJSON)
        var bad = Self.trade
        bad.bestAsk = .infinity
        let before = buffer
        #expect(throws: EventCodec.EncodeError.nonFiniteNumber(field: "ask")) { try EventCodec.encode(bad, into: &buffer) }
        #expect(buffer == before)
        buffer.removeAll(keepingCapacity: true)
        try EventCodec.encode(Self.ticker, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == Self.tickerJSON)
    }

    @Test("non-finite numbers and unreadable symbols cannot be encoded")
    func encodeErrors() {
        var event = Self.trade
        event.price = .nan
        #expect(throws: EventCodec.EncodeError.nonFiniteNumber(field: "price")) { try EventCodec.encode(event) }
        event = Self.ticker
        event.quoteVolume24h = -.infinity
        #expect(throws: EventCodec.EncodeError.nonFiniteNumber(field: "quote_volume_24h")) { try EventCodec.encode(event) }
        for symbol in [Symbol(base: "B-C", quote: "USDT"), Symbol(base: "", quote: "USDT"), Symbol(base: "BTC", quote: "U\"SD"), Symbol(base: "비트", quote: "KRW")] {
            event = Self.trade
            event.symbol = symbol
            #expect(throws: EventCodec.EncodeError.invalidSymbol(symbol.description)) { try EventCodec.encode(event) }
        }
        #expect(EventCodec.EncodeError.nonFiniteNumber(field: "price").description == "price is not a finite number")
    }

    @Test("random events survive encode → decode unchanged (seeded property test)")
    func roundTrip() throws {
        var random = SplitMix64(seed: 0xC0DEC)
        for _ in 0..<5_000 {
            let event = randomEvent(using: &random)
            let bytes = try EventCodec.encode(event)
            let decoded = try EventCodec.decode(bytes)
            #expect(decoded == event, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(decoded.price.sign == event.price.sign)
        }
    }

    @Test("members in any order, null optionals, unknown fields of any shape are accepted")
    func forwardCompatibility() throws {
        let shuffled = #"""
        { "side" : "sell", "future":{"nested":[1,{"x":null}],"s":"\"}"}, "receive_time_ns":2, "price":"1.5",
          "symbol":"eth-krw", "size":null, "exchange":"bithumb", "trade_id":null, "seq":null, "more":[true,false],
          "event_time_ns":"1", "type":"trade", "v":1 }
        """#
        let event = try EventCodec.decode(Array(shuffled.utf8))
        #expect(event == MarketEvent(kind: .trade, exchange: .bithumb, symbol: Symbol(base: "ETH", quote: "KRW"), price: 1.5,
                                     eventTimeNanos: 1, receiveTimeNanos: 2, side: .sell))
        let escaped = #"{"v":1,"type":"tr\u0061de","exchange":"coinone","symbol":"BTC\u002dKRW","price":1,"event_time_ns":1,"receive_time_ns":1,"side":"unknown"}"#
        let decoded = try EventCodec.decode(Array(escaped.utf8))
        #expect(decoded.kind == .trade)
        #expect(decoded.symbol == Symbol(base: "BTC", quote: "KRW"))
        #expect(decoded.side == .unknown)
        // Keys written with escapes are the same keys.
        let escapedKeys = #"{"\u0076":1,"ty\u0070e":"trade","exchange":"coinone","symbol":"BTC-KRW","pr\u0069ce":2.5,"event_time_ns":1,"receive_time_n\u0073":3}"#
        let unescaped = try EventCodec.decode(Array(escapedKeys.utf8))
        #expect(unescaped.kind == .trade)
        #expect(unescaped.price == 2.5)
        #expect(unescaped.receiveTimeNanos == 3)
    }

    @Test("another schema version is refused with unsupportedVersion")
    func versionMismatch() {
        let v2 = Self.tradeJSON.replacingOccurrences(of: #""v":1"#, with: #""v":2"#)
        #expect(decodeError(v2) == .unsupportedVersion(2))
        // A later version may change types; the version, written first, is what gets reported.
        let changed = #"{"v":2,"type":{"kind":"trade"},"price":[1]}"#
        #expect(decodeError(changed) == .unsupportedVersion(2))
        #expect(decodeError(Self.tradeJSON.replacingOccurrences(of: #""v":1"#, with: #""v":0"#)) == .unsupportedVersion(0))
        #expect(EventCodec.DecodeError.unsupportedVersion(2).description == "unsupported schema version 2 (this reader knows 1)")
    }

    /// The members of `tradeJSON`, in order, values as JSON text.
    static let tradeMembers: [(key: String, value: String)] = [
        ("v", "1"), ("type", #""trade""#), ("exchange", #""binance""#), ("symbol", #""BTC-USDT""#), ("price", "16578.5"),
        ("size", "0.001"), ("event_time_ns", "1672515782136000000"), ("receive_time_ns", "1672515782136512345"),
        ("trade_id", #""2847161""#), ("side", #""buy""#),
    ]

    static func json(_ members: [(key: String, value: String)]) -> String {
        "{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    @Test("the member list matches the golden message")
    func memberList() {
        #expect(Self.json(Self.tradeMembers) == Self.tradeJSON)
    }

    @Test("each missing required field is named", arguments: ["v", "type", "exchange", "symbol", "price", "event_time_ns", "receive_time_ns"])
    func missingField(_ field: String) {
        let message = Self.json(Self.tradeMembers.filter { $0.key != field })
        #expect(decodeError(message) == .missingField(field))
    }

    @Test("wrong types and values outside the schema name the field", arguments: [
        ("price", #""abc""#), ("price", "true"), ("price", "null"), ("price", "1e999"), ("size", #""""#), ("bid", "[1]"),
        ("event_time_ns", "1.5"), ("event_time_ns", "9223372036854775808"), ("receive_time_ns", #""x""#),
        ("type", #""swap""#), ("type", "1"), ("exchange", #""kraken""#), ("exchange", #""Binance""#),
        ("symbol", #""BTCUSDT""#), ("symbol", #""BTC-""#), ("symbol", #""-USDT""#), ("symbol", #""BTC-USD-T""#),
        ("symbol", #""BTC_USDT""#), ("symbol", #""BTC-ÜSD""#), ("symbol", "7"), ("side", #""up""#), ("trade_id", "12"),
        ("seq", #""1a""#), ("v", #""one""#), ("v", "1.0"),
    ])
    func invalidField(_ field: String, _ value: String) {
        var members = Self.tradeMembers.map { $0.key == field ? (key: field, value: value) : $0 }
        if !members.contains(where: { $0.key == field }) { members.append((field, value)) }
        let message = Self.json(members)
        guard case .invalidField(let name, let reason)? = decodeError(message) else {
            Issue.record("\(message): \(String(describing: decodeError(message)))")
            return
        }
        #expect(name == field)
        #expect(!reason.isEmpty)
    }

    @Test("anything but one JSON object is malformed", arguments: [
        "", " ", "null", "[]", "1", "\"v\"", "{", "{\"v\":1", "{\"v\":1,}", "{}{}", "{\"v\":1}x", "\u{0}",
    ])
    func malformed(_ text: String) {
        guard case .malformed? = decodeError(text) else {
            Issue.record("\(text.debugDescription): \(String(describing: decodeError(text)))")
            return
        }
    }

    @Test("an empty object lacks the version")
    func emptyObject() {
        #expect(decodeError("{}") == .missingField("v"))
    }

    @Test("every truncation of a valid message fails with an error, never a crash")
    func everyTruncation() {
        for json in [Self.tradeJSON, Self.tickerJSON] {
            let bytes = Array(json.utf8)
            for length in 0..<bytes.count {
                #expect(decodeError(bytes: Array(bytes[..<length])) != nil, "prefix of \(length) bytes decoded")
            }
        }
    }

    @Test("random garbage and mutated messages never crash (seeded)")
    func garbage() {
        var random = SplitMix64(seed: 0x6A4B)
        let message = Array(Self.tickerJSON.utf8)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 2) {
                bytes = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = message
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            if let event = try? EventCodec.decode(bytes) {
                // Whatever decodes must survive its own round trip.
                accepted += 1
                #expect((try? EventCodec.decode(EventCodec.encode(event))) == event)
            }
        }
        #expect(accepted < 20_000)
    }

    @Test("decode errors describe themselves for logs and the dead-letter topic")
    func descriptions() {
        #expect(EventCodec.DecodeError.missingField("price").description == "missing field price")
        #expect(EventCodec.DecodeError.invalidField("side", reason: "unknown value \"up\"").description == "invalid field side: unknown value \"up\"")
        #expect(EventCodec.DecodeError.malformed(JSONReader.Error(0, .truncated)).description == "malformed JSON: input ends too early at byte 0")
        #expect(decodeError(Self.tradeJSON.replacingOccurrences(of: "\"binance\"", with: "\"kraken\"")) == .invalidField("exchange", reason: "unknown value \"kraken\""))
    }
}

/// An event with every field drawn at random: present or absent, ordinary or extreme values.
private func randomEvent(using random: inout SplitMix64) -> MarketEvent {
    func number() -> Double {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: // Exchange-like: a few decimals.
            return Double(Int.random(in: 0...100_000_000, using: &random)) / [1, 100, 10_000, 100_000_000][Int.random(in: 0..<4, using: &random)]
        case 1: // Any finite double.
            var value = Double(bitPattern: random.next())
            while !value.isFinite { value = Double(bitPattern: random.next()) }
            return value
        case 2: return Double.random(in: -1e6...1e6, using: &random)
        case 3: return [0.0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e16, 0.1 + 0.2][Int.random(in: 0..<7, using: &random)]
        default: return Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &random))
        }
    }
    func maybe<T>(_ make: () -> T) -> T? {
        Bool.random(using: &random) ? make() : nil
    }
    func asset() -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcxyz")
        return String((0..<Int.random(in: 1...10, using: &random)).map { _ in letters.randomElement(using: &random) ?? "A" })
    }
    func identifier() -> String {
        let pieces = ["0", "12345", "17303368620470000", "\"", "\\", "\n", "\u{0}", "\u{1F}", "é", "🚀", "비트", "/", " ", "-", "abc"]
        return (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
    }
    func time() -> Int64 {
        Bool.random(using: &random) ? Int64.random(in: 1_600_000_000_000_000_000...1_900_000_000_000_000_000, using: &random) : Int64(bitPattern: random.next())
    }
    return MarketEvent(
        kind: MarketEvent.Kind.allCases.randomElement(using: &random) ?? .trade,
        exchange: Exchange.allCases.randomElement(using: &random) ?? .binance,
        symbol: Symbol(base: asset(), quote: asset()),
        price: number(), size: maybe(number), bestBid: maybe(number), bestBidSize: maybe(number),
        bestAsk: maybe(number), bestAskSize: maybe(number), open24h: maybe(number), high24h: maybe(number),
        low24h: maybe(number), volume24h: maybe(number), quoteVolume24h: maybe(number),
        eventTimeNanos: time(), receiveTimeNanos: time(), tradeID: maybe(identifier),
        sequence: maybe { Int64(bitPattern: random.next()) },
        side: MarketEvent.TakerSide.allCases.randomElement(using: &random) ?? .unknown
    )
}
