import CoinfluxCore
import Testing

/// Parses `text` with `body`, as the exchange parsers do.
private func parse<T>(_ text: String, _ body: (inout JSONReader) throws -> T) throws -> T {
    try JSONReader.parse(Array(text.utf8), body)
}

/// The error `body` fails with on `text`, or nil if it succeeds.
private func readerError(_ text: String, _ body: (inout JSONReader) throws -> Void = { try $0.skipValue() }) -> JSONReader.Error? {
    readerError(bytes: Array(text.utf8), body)
}

private func readerError(bytes: [UInt8], _ body: (inout JSONReader) throws -> Void = { try $0.skipValue() }) -> JSONReader.Error? {
    do {
        try JSONReader.parse(bytes, body)
        return nil
    } catch let error as JSONReader.Error {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// A generic JSON value, built by reading every value through the reader's typed API.
private indirect enum Value: Equatable {
    case object([(String, Value)])
    case array([Value])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case let (.array(a), .array(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    static func read(_ reader: inout JSONReader) throws -> Value {
        switch try reader.peekKind() {
        case .object:
            var members: [(String, Value)] = []
            try reader.beginObject()
            while let key = try reader.nextKey() {
                members.append((try key.string(), try read(&reader)))
            }
            return .object(members)
        case .array:
            var elements: [Value] = []
            try reader.beginArray()
            while try reader.nextElement() {
                elements.append(try read(&reader))
            }
            return .array(elements)
        case .string: return .string(try reader.readString())
        case .number: return .number(try reader.readDouble())
        case .bool: return .bool(try reader.readBool())
        case .null:
            _ = try reader.consumeNull()
            return .null
        }
    }
}

@Suite("JSONReader: objects and arrays")
struct JSONReaderStructureTests {
    @Test("members in any order, matched by switch on literals, unknown ones skipped")
    func binanceTrade() throws {
        let frame = #"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","b":88,"a":50,"T":1672515782136,"m":true,"M":true,"x":{"deep":[1,{"y":[null]}]}}"#
        var event: String?, symbol: String?, tradeID: String?, price: Double?, quantity: Double?, time: Int64?, buyerIsMaker: Bool?
        try parse(frame) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "e": event = try reader.readString()
                case "s": symbol = try reader.readString()
                case "t": tradeID = try reader.readStringOrNumber()
                case "p": price = try reader.readDouble()
                case "q": quantity = try reader.readDouble()
                case "T": time = try reader.readInt64()
                case "m": buyerIsMaker = try reader.readBool()
                default: break
                }
            }
        }
        #expect(event == "trade")
        #expect(symbol == "BNBBTC")
        #expect(tradeID == "12345")
        #expect(price == 0.001)
        #expect(quantity == 100)
        #expect(time == 1_672_515_782_136)
        #expect(buyerIsMaker == true)
    }

    @Test("combined-stream wrapper with a nested data object")
    func combinedStream() throws {
        let frame = #"{"stream":"btcusdt@ticker","data":{"e":"24hrTicker","c":"16578.50","b":"16578.49","B":"1.5"}}"#
        var stream = "", last = 0.0, bid = 0.0
        try parse(frame) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                if key == "stream" {
                    stream = try reader.readString()
                } else if key == "data" {
                    try reader.beginObject()
                    while let inner = try reader.nextKey() {
                        switch inner {
                        case "c": last = try reader.readDouble()
                        case "b": bid = try reader.readDouble()
                        default: break
                        }
                    }
                }
            }
        }
        #expect(stream == "btcusdt@ticker")
        #expect(last == 16578.5)
        #expect(bid == 16578.49)
    }

    @Test("array of trades inside an object (Bybit publicTrade)")
    func bybitTrades() throws {
        let frame = #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false},{"T":1672304486866,"s":"BTCUSDT","S":"Sell","v":"0.002","p":"16578.00","i":"2","BT":false}]}"#
        var topicIsTrade = false
        var trades: [(side: String, price: Double, size: Double, id: String)] = []
        try parse(frame) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "topic": topicIsTrade = try reader.readStringView().hasPrefix("publicTrade.")
                case "data":
                    try reader.beginArray()
                    while try reader.nextElement() {
                        var side = "", price = 0.0, size = 0.0, id = ""
                        try reader.beginObject()
                        while let field = try reader.nextKey() {
                            switch field {
                            case "S": side = try reader.readString()
                            case "p": price = try reader.readDouble()
                            case "v": size = try reader.readDouble()
                            case "i": id = try reader.readStringOrNumber()
                            default: break
                            }
                        }
                        trades.append((side, price, size, id))
                    }
                default: break
                }
            }
        }
        #expect(topicIsTrade)
        #expect(trades.count == 2)
        #expect(trades.map(\.side) == ["Buy", "Sell"])
        #expect(trades.map(\.price) == [16578.5, 16578.0])
        #expect(trades.map(\.size) == [0.001, 0.002])
        #expect(trades.map(\.id) == ["20f43950-d8dd-5b31-9112-a178eb6023af", "2"])
    }

    @Test("Upbit numbers with trailing zeros and a sequential id beyond 2^53")
    func upbitTrade() throws {
        let frame = #"{"type":"trade","code":"KRW-BTC","trade_price":31883000.00000000,"trade_volume":0.00015678,"sequential_id":17303368620470000,"ask_bid":"BID"}"#
        var price = 0.0, volume = 0.0, sequence: Int64 = 0
        try parse(frame) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "trade_price": price = try reader.readDouble()
                case "trade_volume": volume = try reader.readDouble()
                case "sequential_id": sequence = try reader.readInt64()
                default: break
                }
            }
        }
        #expect(price == 31_883_000)
        #expect(volume == 0.00015678)
        #expect(sequence == 17_303_368_620_470_000)
        // Through Double the neighbouring id would have been indistinguishable.
        #expect(Double(sequence) == Double(sequence + 1))
        let next = try parse(#"{"sequential_id":"17303368620470001"}"#) { reader -> Int64? in
            try reader.beginObject()
            var id: Int64?
            while try reader.nextKey() != nil { id = try reader.readInt64() }
            return id
        }
        #expect(next == sequence + 1)
    }

    @Test("top-level array (Upbit subscribe request) and empty containers")
    func arrays() throws {
        let value = try parse(#" [ {"ticket":"x"} , {"type":"ticker","codes":["KRW-BTC","KRW-ETH"]}, [], {} ] "#) { try Value.read(&$0) }
        #expect(value == .array([
            .object([("ticket", .string("x"))]),
            .object([("type", .string("ticker")), ("codes", .array([.string("KRW-BTC"), .string("KRW-ETH")]))]),
            .array([]),
            .object([]),
        ]))
    }

    @Test("whitespace of every JSON kind between tokens")
    func whitespace() throws {
        let value = try parse(" \t\r\n{ \"a\" \n:\t[ 1 ,\r\n true , null ] , \"b\" : \"c\" } \n") { try Value.read(&$0) }
        #expect(value == .object([("a", .array([.number(1), .bool(true), .null])), ("b", .string("c"))]))
    }

    @Test("values the caller does not read are skipped, however nested")
    func autoSkip() throws {
        var seen: [String] = []
        var last = 0.0
        try parse(#"{"a":{"b":[1,2,{"c":"}"}]},"d":[[[]]],"e":"x\"y","f":-1.5e-3,"g":null,"h":false,"z":42}"#) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                seen.append(try key.string())
                if key == "z" { last = try reader.readDouble() }
            }
        }
        #expect(seen == ["a", "d", "e", "f", "g", "h", "z"])
        #expect(last == 42)
    }

    @Test("parse skips an unread top-level value and checks what follows")
    func unreadTopLevel() throws {
        let count = try parse(#"{"a":[1,2,3]}"#) { _ in 7 }
        #expect(count == 7)
        #expect(readerError(#"{"a":1} x"#, { _ in })?.reason == .trailingBytes)
    }

    @Test("peekKind names every kind and consumes nothing")
    func peekKind() throws {
        let kinds = try parse(#"[{}, [], "", -1, true, false, null]"#) { reader -> [JSONReader.ValueKind] in
            var kinds: [JSONReader.ValueKind] = []
            try reader.beginArray()
            while try reader.nextElement() {
                kinds.append(try reader.peekKind())
                try reader.skipValue()
            }
            return kinds
        }
        #expect(kinds == [.object, .array, .string, .number, .bool, .bool, .null])
    }

    @Test("consumeNull and readOptionalDouble (Coinone null prices, Bybit empty strings)")
    func nullsAndEmptyPrices() throws {
        let values = try parse(#"[null, "", "1.25", 2, null]"#) { reader -> [Double?] in
            var values: [Double?] = []
            try reader.beginArray()
            while try reader.nextElement() { values.append(try reader.readOptionalDouble()) }
            return values
        }
        #expect(values == [nil, nil, 1.25, 2, nil])
        let wasNull = try parse("null") { try $0.consumeNull() }
        #expect(wasNull)
        let notNull = try parse("1") { reader -> Bool in
            let wasNull = try reader.consumeNull()
            _ = try reader.readDouble()
            return wasNull
        }
        #expect(!notNull)
        #expect(readerError("nul", { _ = try $0.consumeNull() })?.reason == .truncated)
        #expect(readerError("nulL", { _ = try $0.consumeNull() })?.reason == .unexpectedByte(UInt8(ascii: "L")))
    }

    @Test("readBool and literal errors")
    func bools() throws {
        #expect(try parse("true") { try $0.readBool() })
        #expect(try !parse("false") { try $0.readBool() })
        #expect(readerError("tru", { _ = try $0.readBool() })?.reason == .truncated)
        #expect(readerError("trUe", { _ = try $0.readBool() }) == JSONReader.Error(2, .unexpectedByte(UInt8(ascii: "U"))))
        #expect(readerError("\"true\"", { _ = try $0.readBool() })?.reason == .typeMismatch(expected: .bool, found: .string))
    }

    @Test("wrong types are reported with what was expected and what was found, at the value's offset")
    func typeMismatches() {
        #expect(readerError(#"{"a":1}"#, { try $0.beginArray() }) == JSONReader.Error(0, .typeMismatch(expected: .array, found: .object)))
        #expect(readerError(#"[1]"#, { try $0.beginObject() }) == JSONReader.Error(0, .typeMismatch(expected: .object, found: .array)))
        #expect(readerError(#"  1"#, { _ = try $0.readString() }) == JSONReader.Error(2, .typeMismatch(expected: .string, found: .number)))
        #expect(readerError(#"{}"#, { _ = try $0.readDouble() }) == JSONReader.Error(0, .typeMismatch(expected: .number, found: .object)))
        #expect(readerError(#"true"#, { _ = try $0.readInt64() }) == JSONReader.Error(0, .typeMismatch(expected: .number, found: .bool)))
        #expect(readerError(#"null"#, { _ = try $0.readStringView() }) == JSONReader.Error(0, .typeMismatch(expected: .string, found: .null)))
        #expect(readerError(#"x"#, { _ = try $0.readDouble() }) == JSONReader.Error(0, .unexpectedByte(UInt8(ascii: "x"))))
        #expect(readerError(#"x"#, { _ = try $0.peekKind() }) == JSONReader.Error(0, .unexpectedByte(UInt8(ascii: "x"))))
    }

    @Test("errors describe themselves with the offset")
    func descriptions() {
        #expect(JSONReader.Error(12, .truncated).description == "input ends too early at byte 12")
        #expect(JSONReader.Error(3, .unexpectedByte(UInt8(ascii: "}"))).description == "unexpected '}' (0x7D) at byte 3")
        #expect(JSONReader.Error(0, .unexpectedByte(0x01)).description == "unexpected byte 0x01 at byte 0")
        #expect(JSONReader.Error(5, .typeMismatch(expected: .number, found: .string)).description == "expected number, found string at byte 5")
        #expect(JSONReader.Error(9, .tooDeep).description == "nesting deeper than 64 at byte 9")
    }
}

@Suite("JSONReader: strings")
struct JSONReaderStringTests {
    @Test("every escape, \\u escapes and surrogate pairs decode")
    func escapes() throws {
        let text = try parse(#""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC \ud83d\ude80 \u0000""#) { try $0.readString() }
        #expect(text == "q\" b\\ s/ \u{08}\u{0C}\n\r\t Aé€ 🚀 \u{0}")
    }

    @Test("raw UTF-8 passes through; views compare without decoding")
    func rawUTF8() throws {
        let text = try parse(#""비트코인 ₿ 🚀""#) { try $0.readString() }
        #expect(text == "비트코인 ₿ 🚀")
        let view = try parse(#""abc""#) { reader -> Bool in
            let view = try reader.readStringView()
            return !view.hasEscapes && view.rawBytes.count == 3 && view == "abc" && !(view == "abd") && !(view == "ab")
        }
        #expect(view)
    }

    @Test("keys with escapes still match their literal")
    func escapedKeys() throws {
        var price = 0.0
        var matchedPrefix = false
        try parse(#"{"pr\u0069ce":"1.5","\u0074opic":"tickers.BTCUSDT"}"#) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "price": price = try reader.readDouble()
                case "topic": matchedPrefix = try reader.readStringView().hasPrefix("tickers.")
                default: Issue.record("unmatched key \(key)")
                }
            }
        }
        #expect(price == 1.5)
        #expect(matchedPrefix)
    }

    @Test("long strings cross the eight-byte scan at every alignment")
    func alignments() throws {
        for length in 0..<40 {
            for special in ["", "\\\"", "\\n", "é"] {
                let body = String(repeating: "x", count: length) + special + String(repeating: "y", count: length % 9)
                for padding in 0..<8 {
                    let text = String(repeating: " ", count: padding) + "\"" + body + "\""
                    let decoded = try parse(text) { try $0.readString() }
                    let expected = body.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\n", with: "\n")
                    #expect(decoded == expected, "length \(length), padding \(padding)")
                }
            }
        }
    }

    @Test("malformed strings fail at the offending byte")
    func malformed() {
        let read: (inout JSONReader) throws -> Void = { _ = try $0.readString() }
        #expect(readerError(#""abc"#, read) == JSONReader.Error(4, .truncated))
        #expect(readerError(#""a\x""#, read) == JSONReader.Error(2, .invalidEscape))
        #expect(readerError(#""\u12G4""#, read) == JSONReader.Error(5, .invalidEscape))
        #expect(readerError(#""\u12"#, read)?.reason == .truncated)
        #expect(readerError("\"a\u{01}b\"", read) == JSONReader.Error(2, .unexpectedByte(0x01)))
        #expect(readerError("\"a\nb\"", read) == JSONReader.Error(2, .unexpectedByte(0x0A)))
        #expect(readerError(#""\ud83d""#, read)?.reason == .invalidEscape)
        #expect(readerError(#""\ud83d\u0041""#, read)?.reason == .invalidEscape)
        #expect(readerError(#""\ude80""#, read)?.reason == .invalidEscape)
    }

    @Test("invalid UTF-8 is rejected when a String is made, skipped otherwise")
    func invalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],                 // never valid
            [0x22, 0xC3, 0x22],                 // truncated sequence
            [0x22, 0xC0, 0xAF, 0x22],           // overlong '/'
            [0x22, 0xE0, 0x80, 0xAF, 0x22],     // overlong
            [0x22, 0xED, 0xA0, 0x80, 0x22],     // UTF-16 surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // beyond U+10FFFF
            [0x22, 0x61, 0x80, 0x22],           // lone continuation byte
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],     // after an escape
        ]
        for bytes in cases {
            #expect(readerError(bytes: bytes, { _ = try $0.readString() })?.reason == .invalidUTF8, "\(bytes)")
            #expect(readerError(bytes: bytes) == nil, "skipping \(bytes)")
        }
        #expect(readerError(bytes: [0x22, 0xFF, 0x22], { _ = try $0.readString() })?.offset == 1)
    }

    @Test("readStringOrNumber keeps ids exactly, whether numbers or strings")
    func identifiers() throws {
        let ids = try parse(#"[17303368620470000, "17303368620470001", -5, 1.5e3, "abc"]"#) { reader -> [String] in
            var ids: [String] = []
            try reader.beginArray()
            while try reader.nextElement() { ids.append(try reader.readStringOrNumber()) }
            return ids
        }
        #expect(ids == ["17303368620470000", "17303368620470001", "-5", "1.5e3", "abc"])
        #expect(readerError("true", { _ = try $0.readStringOrNumber() })?.reason == .typeMismatch(expected: .string, found: .bool))
    }
}

@Suite("JSONReader: hostile input")
struct JSONReaderRobustnessTests {
    static let document = #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":12345,"p":"16578.50","q":"0.001","m":true,"x":null,"l":[1,-2.5e-3,"\u00e9\n"],"o":{}}}"#

    @Test("every truncation of a valid document fails with an error, never a crash")
    func everyTruncation() throws {
        let bytes = Array(Self.document.utf8)
        let full = try JSONReader.parse(bytes) { try Value.read(&$0) }
        #expect(full != .null)
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(readerError(bytes: prefix) != nil, "prefix of \(length) bytes accepted by skipValue")
            #expect(readerError(bytes: prefix, { _ = try Value.read(&$0) }) != nil, "prefix of \(length) bytes accepted")
        }
    }

    @Test("empty and blank input are truncated")
    func emptyInput() {
        #expect(readerError("") == JSONReader.Error(0, .truncated))
        #expect(readerError("  \n") == JSONReader.Error(3, .truncated))
        #expect(readerError("", { _ = try $0.readDouble() }) == JSONReader.Error(0, .truncated))
        #expect(readerError("", { try $0.beginObject() }) == JSONReader.Error(0, .truncated))
    }

    @Test("structural mistakes are reported where they are")
    func structure() {
        #expect(readerError(#"{"a":1,}"#) == JSONReader.Error(7, .unexpectedByte(UInt8(ascii: "}"))))
        #expect(readerError(#"[1,]"#) == JSONReader.Error(3, .unexpectedByte(UInt8(ascii: "]"))))
        #expect(readerError(#"{"a" 1}"#) == JSONReader.Error(5, .unexpectedByte(UInt8(ascii: "1"))))
        #expect(readerError(#"{"a":1 "b":2}"#) == JSONReader.Error(7, .unexpectedByte(UInt8(ascii: "\""))))
        #expect(readerError(#"{a:1}"#) == JSONReader.Error(1, .unexpectedByte(UInt8(ascii: "a"))))
        #expect(readerError(#"[1 2]"#) == JSONReader.Error(3, .unexpectedByte(UInt8(ascii: "2"))))
        #expect(readerError(#"{"a":1]"#) == JSONReader.Error(6, .unexpectedByte(UInt8(ascii: "]"))))
        #expect(readerError(#"[1}"#) == JSONReader.Error(2, .unexpectedByte(UInt8(ascii: "}"))))
        #expect(readerError(#"[,1]"#) == JSONReader.Error(1, .unexpectedByte(UInt8(ascii: ","))))
        #expect(readerError(#"{"a":}"#) == JSONReader.Error(5, .unexpectedByte(UInt8(ascii: "}"))))
        #expect(readerError(#"1 2"#) == JSONReader.Error(2, .trailingBytes))
        #expect(readerError(#"{} {}"#) == JSONReader.Error(3, .trailingBytes))
        #expect(readerError("\u{FEFF}{}")?.reason == .unexpectedByte(0xEF))
    }

    @Test("nesting is bounded: 64 levels read, 65 fail with tooDeep, a million fail fast")
    func deepNesting() throws {
        let limit = JSONReader.maximumDepth
        let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(readerError(ok) == nil)
        #expect(try parse(ok) { try Value.read(&$0) } != .null)
        let deep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(readerError(deep) == JSONReader.Error(limit, .tooDeep))
        let objects = String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(readerError(objects)?.reason == .tooDeep)
        let huge = String(repeating: "[", count: 1_000_000)
        #expect(readerError(huge)?.reason == .tooDeep)
        #expect(readerError(huge, { _ = try Value.read(&$0) })?.reason == .tooDeep)
    }

    @Test("a large document (a 200 000-element array, ~2 MB) reads completely")
    func largeInput() throws {
        let count = 200_000
        var text = "["
        for index in 0..<count {
            if index > 0 { text += "," }
            text += #"{"i":\#(index),"p":"\#(index).5"}"#
        }
        text += "]"
        let (elements, sum) = try parse(text) { reader -> (Int, Double) in
            var elements = 0
            var sum = 0.0
            try reader.beginArray()
            while try reader.nextElement() {
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "p" { sum += try reader.readDouble() }
                }
                elements += 1
            }
            return (elements, sum)
        }
        #expect(elements == count)
        #expect(sum == Double(count) * Double(count - 1) / 2 + Double(count) * 0.5)
    }

    @Test("random bytes and mutated documents never crash (seeded)")
    func randomInput() {
        var random = SplitMix64(seed: 0x5EED_0001)
        let alphabet = Array(#"{}[]":,.-+eE0123456789tfnrulsa\ "#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xFF]
        var failures = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &random)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            if readerError(bytes: bytes, { _ = try Value.read(&$0) }) != nil { failures += 1 }
        }
        let document = Array(Self.document.utf8)
        for _ in 0..<20_000 {
            var bytes = document
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = alphabet.randomElement(using: &random) ?? 0
            }
            if readerError(bytes: bytes, { _ = try Value.read(&$0) }) != nil { failures += 1 }
        }
        // Most random input is invalid; what matters is that every case returned.
        #expect(failures > 20_000)
    }

    @Test("a reader over a non-contiguous collection reads the same")
    func nonContiguous() throws {
        let bytes = Array(#"{"a":[1,"b"]}"#.utf8)
        let value = try JSONReader.parse(bytes.lazy.map { $0 }) { try Value.read(&$0) }
        #expect(value == .object([("a", .array([.number(1), .string("b")]))]))
        let slice = Array(#"xx{"a":2}"#.utf8)[2...]
        #expect(try JSONReader.parse(slice) { try Value.read(&$0) } == .object([("a", .number(2))]))
    }
}
