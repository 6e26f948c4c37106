import CoinfluxCore
import Exchanges
import Testing

/// Every adapter against broken input: each must throw `FrameError`, append nothing, and never crash.
@Suite("Malformed frames")
struct MalformedFrameTests {
    /// Fixture folders and the adapter that reads them.
    static let folders = ["binance", "upbit", "bithumb", "bithumb-legacy", "bybit", "coinone"]

    static func adapter(_ folder: String) -> any ExchangeAdapter {
        switch folder {
        case "binance": BinanceAdapter()
        case "upbit": UpbitAdapter()
        case "bithumb": BithumbAdapter()
        case "bithumb-legacy": BithumbLegacyAdapter()
        case "bybit": BybitAdapter()
        default: CoinoneAdapter()
        }
    }

    /// A REST path the adapter accepts (the legacy Bithumb parser reads its market from it).
    static func restPath(_ adapter: any ExchangeAdapter) -> String {
        adapter.restTickerPaths(for: [Symbol(base: "BTC", quote: "KRW")])[0]
    }

    /// The market of each folder's `rest-trades.json` (Binance's body does not name it).
    static func tradeSymbol(_ folder: String) -> Symbol {
        switch folder {
        case "binance": Symbol(base: "BNB", quote: "BTC")
        case "bybit": Symbol(base: "BTC", quote: "USDT")
        case "coinone": Symbol(base: "XRP", quote: "KRW")
        default: Symbol(base: "BTC", quote: "KRW")
        }
    }

    /// What a fixture holds, by its name: `rest-trades*` a page of recent trades, `rest-markets*` a
    /// market list, `rest-book*` (and `rest-error-book*`) a REST book snapshot, `rest-status*` the
    /// (first) body of the market flags, `rest-alerts*` Bithumb's alert list, other `rest-*` a REST
    /// ticker body, `book*` a frame of a book connection, anything else a WebSocket frame.
    enum Kind: CaseIterable {
        case frame, restTicker, restTrades, restMarkets, book, restBook, restStatus, restAlerts

        init(fixture name: String) {
            if name.hasPrefix("book") {
                self = .book
            } else if name.hasPrefix("rest-book") || name.hasPrefix("rest-error-book") {
                self = .restBook
            } else if name.hasPrefix("rest-trades") {
                self = .restTrades
            } else if name.hasPrefix("rest-markets") {
                self = .restMarkets
            } else if name.hasPrefix("rest-status") {
                self = .restStatus
            } else if name.hasPrefix("rest-alerts") {
                self = .restAlerts
            } else {
                self = name.hasPrefix("rest-") ? .restTicker : .frame
            }
        }
    }

    /// Feeds `bytes` to the parser of the fixture's kind and expects a rejection.
    static func expectRejected(_ folder: String, _ name: String, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        expectRejected(folder, Kind(fixture: name), bytes, "\(folder)/\(name)", sourceLocation: sourceLocation)
    }

    static func expectRejected(_ folder: String, _ kind: Kind, _ bytes: [UInt8], _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        let adapter = adapter(folder)
        switch kind {
        case .frame: ExchangesTests.expectRejected(adapter, bytes, comment, sourceLocation: sourceLocation)
        case .restTicker: expectRESTRejected(adapter, path: restPath(adapter), bytes, comment, sourceLocation: sourceLocation)
        case .restTrades: expectTradesRejected(adapter, symbol: tradeSymbol(folder), bytes, comment, sourceLocation: sourceLocation)
        case .restMarkets: expectMarketsRejected(adapter, bytes, comment, sourceLocation: sourceLocation)
        case .book, .restBook, .restStatus, .restAlerts: #expect(!parses(folder, kind, bytes), comment, sourceLocation: sourceLocation)
        }
    }

    /// Parses `bytes` with the parser of the fixture's kind, checking what a parse gives either way:
    /// a failed frame or ticker parse appends nothing, a page holds only backfilled trades of its market.
    /// - Returns: whether it parsed.
    static func parses(_ folder: String, _ kind: Kind, _ bytes: [UInt8]) -> Bool {
        let adapter = adapter(folder)
        var events = [sentinel]
        let succeeded = bytes.withUnsafeBytes { buffer in
            switch kind {
            case .frame:
                return (try? adapter.parse(frame: buffer, receivedAt: receivedAt, into: &events)) != nil
            case .restTicker:
                return (try? adapter.parseRESTTicker(path: restPath(adapter), body: buffer, receivedAt: receivedAt, into: &events)) != nil
            case .restTrades:
                guard let page = try? adapter.parseRecentTrades(symbol: tradeSymbol(folder), body: buffer, receivedAt: receivedAt) else { return false }
                #expect(page.trades.allSatisfy { $0.isBackfilled && $0.symbol == tradeSymbol(folder) && $0.kind == .trade })
                return true
            case .restMarkets:
                return (try? adapter.parseMarketList(body: buffer)) != nil
            case .book:
                guard let books = adapter as? any OrderBookAdapter else { return false }
                var updates: [BookUpdate] = []
                let parsed = (try? books.parseBook(frame: buffer, receivedAt: receivedAt, into: &updates)) != nil
                if !parsed { #expect(updates.isEmpty) }
                return parsed
            case .restBook:
                guard let books = adapter as? any OrderBookAdapter else { return false }
                return (try? books.parseBookSnapshot(symbol: tradeSymbol(folder), body: buffer, receivedAt: receivedAt)) != nil
            case .restStatus, .restAlerts:
                // The body in its place among the adapter's status bodies; the others empty lists.
                guard let flagging = adapter as? any MarketStatusAdapter else { return false }
                let place = kind == .restStatus ? 0 : 1
                guard place < flagging.marketStatusPaths.count else { return false }
                var bodies = Array(repeating: Array("[]".utf8), count: flagging.marketStatusPaths.count)
                bodies[place] = Array(buffer)
                return (try? flagging.parseMarketStatuses(bodies: bodies)) != nil
            }
        }
        if !succeeded { #expect(events == [sentinel]) }
        #expect(events.first == sentinel)
        return succeeded
    }

    /// Every fixture cut at every offset (a prefix of a JSON object is never a document).
    @Test(arguments: folders)
    func everyTruncationIsRejected(folder: String) throws {
        for fixture in try Fixture.all(in: folder) {
            for length in 0..<fixture.bytes.count {
                Self.expectRejected(folder, fixture.name, Array(fixture.bytes[..<length]))
            }
        }
    }

    /// Each fixture followed by more bytes, or by itself again.
    @Test(arguments: folders)
    func trailingBytesAreRejected(folder: String) throws {
        for fixture in try Fixture.all(in: folder) {
            Self.expectRejected(folder, fixture.name, fixture.bytes + Array("x".utf8))
            Self.expectRejected(folder, fixture.name, fixture.bytes + fixture.bytes)
        }
    }

    /// Empty and whitespace frames, other JSON values, non-JSON text.
    @Test(arguments: folders)
    func nonFramesAreRejected(folder: String) {
        for text in ["", " \n\t", "null", "42", #""text""#, "[]", "[{}]", "{}", "PING", "{", "}", #"{"a":}"#, "\u{FEFF}{}"] {
            // An empty array is an empty page of trades or an empty market list where those are arrays.
            for kind in Kind.allCases where text != "[]" || kind == .frame || kind == .restTicker {
                Self.expectRejected(folder, kind, Array(text.utf8), "\(folder) \(kind): \(text)")
            }
        }
    }

    /// 10 MB frames: an unterminated string, arrays and objects nested far beyond the reader's depth
    /// limit, and bytes that are not JSON.
    static let hugeFrames: [[UInt8]] = {
        let size = 10 << 20
        let unterminated = Array(#"{"type":"ticker","code":""#.utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: size)
        let nested = [UInt8](repeating: UInt8(ascii: "["), count: size)
        var objects: [UInt8] = []
        objects.reserveCapacity(size)
        while objects.count < size { objects += #"{"a":"#.utf8 }
        let garbage = [UInt8](repeating: 0x01, count: size)
        return [unterminated, nested, objects, garbage]
    }()

    @Test(arguments: folders)
    func hugeMalformedFramesAreRejected(folder: String) {
        for bytes in Self.hugeFrames {
            for kind in Kind.allCases {
                Self.expectRejected(folder, kind, bytes, "\(folder) \(kind): huge")
            }
        }
    }

    /// A 10 MB symbol is not a market.
    @Test func hugeSymbolIsRejected() {
        let symbol = String(repeating: "B", count: 10 << 20)
        ExchangesTests.expectRejected(BinanceAdapter(), text: #"{"e":"trade","E":1,"s":"\#(symbol)USDT","t":1,"p":"1","q":"1","T":1}"#)
        ExchangesTests.expectRejected(UpbitAdapter(), text: #"{"type":"trade","code":"KRW-\#(symbol)","trade_price":1,"trade_volume":1,"trade_timestamp":1}"#)
    }

    /// A well-formed frame stays valid however large: 10 MB of an unknown member do not change the event.
    @Test func hugeWellFormedFrameParses() throws {
        let fixture = try Fixture.bytes("bybit/trade.json")
        let padded = Array(#"{"padding":""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20) + Array(#"","#.utf8) + fixture.dropFirst()
        #expect(try parse(BybitAdapter(), padded).events == parse(BybitAdapter(), fixture).events)
    }

    /// Invalid UTF-8 inside a symbol.
    @Test func invalidUTF8IsRejected() {
        let frame = Array(#"{"type":"trade","code":"KRW-"#.utf8) + [0xFF, 0xFE] + Array(#"","trade_price":1,"trade_volume":1,"trade_timestamp":1}"#.utf8)
        ExchangesTests.expectRejected(UpbitAdapter(), frame)
        ExchangesTests.expectRejected(BithumbAdapter(), frame)
    }

    /// Values of the wrong type in members the parsers read.
    @Test(arguments: [
        ("binance", "ticker.json", "E", #""soon""#), ("binance", "ticker.json", "s", "42"),
        ("binance", "ticker.json", "c", "{}"), ("binance", "ticker.json", "c", #""NaN""#),
        ("binance", "ticker.json", "c", "null"), ("binance", "ticker.json", "b", "[]"),
        ("binance", "trade.json", "m", #""yes""#), ("binance", "trade.json", "T", "-1"),
        ("binance", "trade.json", "p", "true"), ("binance", "trade.json", "t", "{}"),
        ("binance", "rest-ticker.json", "closeTime", #""later""#),
        ("upbit", "ticker.json", "trade_price", #""a lot""#), ("upbit", "ticker.json", "timestamp", #""now""#),
        ("upbit", "ticker.json", "code", #"["KRW-BTC"]"#), ("upbit", "ticker.json", "acc_trade_volume_24h", "{}"),
        ("upbit", "trade.json", "sequential_id", "{}"), ("upbit", "trade.json", "ask_bid", "1"),
        ("upbit", "trade.json", "trade_timestamp", "1.5"), ("upbit", "trade.json", "trade_timestamp", "99999999999999999"),
        ("upbit", "rest-ticker.json", "market", "7"),
        ("bithumb", "trade.json", "sequential_id", "[]"), ("bithumb", "trade.json", "trade_price", #""""#),
        ("bithumb-legacy", "ticker.json", "closePrice", #"{"v":"1"}"#), ("bithumb-legacy", "ticker.json", "date", "20200129"),
        ("bithumb-legacy", "ticker.json", "tickType", "24"), ("bithumb-legacy", "transaction.json", "contQty", #""""#),
        ("bithumb-legacy", "transaction.json", "contDtm", "1622591014"), ("bithumb-legacy", "rest-ticker.json", "date", #""yesterday""#),
        ("bybit", "ticker.json", "ts", #""now""#), ("bybit", "ticker.json", "lastPrice", #"{"v":1}"#),
        ("bybit", "ticker.json", "symbol", "7"), ("bybit", "trade.json", "T", #""x""#), ("bybit", "trade.json", "v", "false"),
        ("bybit", "ack.json", "success", #""true""#), ("bybit", "rest-ticker.json", "retCode", "true"),
        ("coinone", "ticker.json", "timestamp", #""now""#), ("coinone", "ticker.json", "last", "[]"),
        ("coinone", "ticker.json", "quote_currency", "1"), ("coinone", "trade.json", "is_seller_maker", #""true""#),
        ("coinone", "trade.json", "qty", "null"), ("coinone", "rest-ticker.json", "last", "false"),
        ("binance", "rest-trades.json", "id", "{}"), ("binance", "rest-trades.json", "time", #""soon""#),
        ("binance", "rest-trades.json", "isBuyerMaker", #""yes""#), ("binance", "rest-trades.json", "price", "null"),
        ("binance", "rest-trades.json", "time", "-1"),
        ("binance", "rest-markets.json", "status", "1"), ("binance", "rest-markets.json", "isSpotTradingAllowed", #""true""#),
        ("binance", "rest-markets.json", "baseAsset", "[]"), ("binance", "rest-markets.json", "symbol", "null"),
        ("upbit", "rest-trades.json", "sequential_id", "{}"), ("upbit", "rest-trades.json", "ask_bid", #""UP""#),
        ("upbit", "rest-trades.json", "timestamp", "-5"), ("upbit", "rest-trades.json", "market", #""KRW_BTC""#),
        ("upbit", "rest-markets.json", "market", "7"),
        ("upbit", "rest-status.json", "market", "7"), ("upbit", "rest-status.json", "warning", #""false""#),
        ("upbit", "rest-status.json", "PRICE_FLUCTUATIONS", "null"),
        ("bithumb", "rest-status.json", "market_warning", "false"), ("bithumb", "rest-status.json", "market_warning", #""WARNING""#),
        ("bithumb", "rest-alerts.json", "warning_type", "1"), ("bithumb", "rest-alerts.json", "warning_type", #""price""#),
        ("bithumb", "rest-alerts.json", "market", "[]"),
        ("bithumb", "rest-trades.json", "trade_volume", #""""#), ("bithumb", "rest-markets.json", "market", "null"),
        ("bybit", "rest-trades.json", "side", #""buy""#), ("bybit", "rest-trades.json", "time", #""later""#),
        ("bybit", "rest-trades.json", "execId", "[]"), ("bybit", "rest-trades.json", "category", #""linear""#),
        ("bybit", "rest-markets.json", "status", "true"), ("bybit", "rest-markets.json", "category", #""option""#),
        ("bybit", "rest-markets.json", "baseCoin", "0"),
        ("coinone", "rest-trades.json", "is_seller_maker", #""false""#), ("coinone", "rest-trades.json", "target_currency", "5"),
        ("coinone", "rest-trades.json", "timestamp", #""now""#), ("coinone", "rest-markets.json", "trade_status", "[]"),
        ("coinone", "rest-markets.json", "quote_currency", "null"),
    ])
    func wrongTypesAreRejected(folder: String, fixture: String, key: String, value: String) throws {
        let text = replacing(key, with: value, in: try Fixture.bytes(folder + "/" + fixture))
        Self.expectRejected(folder, fixture, Array(text.utf8))
    }

    /// Required members removed one at a time.
    @Test(arguments: [
        ("binance", "ticker.json", "s"), ("binance", "ticker.json", "c"), ("binance", "ticker.json", "E"),
        ("binance", "trade.json", "s"), ("binance", "trade.json", "p"), ("binance", "trade.json", "q"),
        ("binance", "trade.json", "t"), ("binance", "rest-ticker.json", "lastPrice"), ("binance", "rest-ticker.json", "closeTime"),
        ("upbit", "ticker.json", "code"), ("upbit", "ticker.json", "trade_price"), ("upbit", "trade.json", "trade_volume"),
        ("upbit", "rest-ticker.json", "market"), ("upbit", "pong.json", "status"),
        ("bithumb-legacy", "ticker.json", "symbol"), ("bithumb-legacy", "ticker.json", "closePrice"),
        ("bithumb-legacy", "ticker.json", "date"), ("bithumb-legacy", "ticker.json", "time"),
        ("bithumb-legacy", "transaction.json", "contPrice"), ("bithumb-legacy", "transaction.json", "contQty"),
        ("bithumb-legacy", "transaction.json", "contDtm"), ("bithumb-legacy", "transaction.json", "symbol"),
        ("bithumb-legacy", "connected.json", "status"), ("bithumb-legacy", "rest-ticker.json", "status"),
        ("bithumb-legacy", "rest-ticker.json", "closing_price"), ("bithumb-legacy", "rest-ticker.json", "date"),
        ("bybit", "ticker.json", "ts"), ("bybit", "ticker.json", "lastPrice"), ("bybit", "ticker.json", "symbol"),
        ("bybit", "trade.json", "T"), ("bybit", "trade.json", "s"), ("bybit", "trade.json", "p"),
        ("bybit", "trade.json", "v"), ("bybit", "trade.json", "i"), ("bybit", "pong.json", "success"),
        ("bybit", "rest-ticker.json", "time"), ("bybit", "rest-ticker.json", "retCode"),
        ("coinone", "ticker.json", "last"), ("coinone", "ticker.json", "timestamp"), ("coinone", "ticker.json", "quote_currency"),
        ("coinone", "trade.json", "price"), ("coinone", "trade.json", "qty"), ("coinone", "trade.json", "id"),
        ("coinone", "trade.json", "target_currency"), ("coinone", "pong.json", "response_type"),
        ("coinone", "rest-ticker.json", "result"),
        ("binance", "rest-trades.json", "id"), ("binance", "rest-trades.json", "price"), ("binance", "rest-trades.json", "qty"),
        ("binance", "rest-trades.json", "time"), ("binance", "rest-markets.json", "symbol"), ("binance", "rest-markets.json", "status"),
        ("binance", "rest-markets.json", "baseAsset"), ("binance", "rest-markets.json", "quoteAsset"),
        ("upbit", "rest-trades.json", "market"), ("upbit", "rest-trades.json", "trade_price"), ("upbit", "rest-trades.json", "trade_volume"),
        ("upbit", "rest-trades.json", "timestamp"), ("upbit", "rest-trades.json", "sequential_id"), ("upbit", "rest-markets.json", "market"),
        ("bithumb", "rest-trades.json", "sequential_id"), ("bithumb", "rest-trades.json", "timestamp"),
        ("bybit", "rest-trades.json", "execId"), ("bybit", "rest-trades.json", "symbol"), ("bybit", "rest-trades.json", "price"),
        ("bybit", "rest-trades.json", "size"), ("bybit", "rest-trades.json", "time"), ("bybit", "rest-trades.json", "retCode"),
        ("bybit", "rest-markets.json", "symbol"), ("bybit", "rest-markets.json", "baseCoin"), ("bybit", "rest-markets.json", "quoteCoin"),
        ("bybit", "rest-markets.json", "status"), ("bybit", "rest-markets.json", "retCode"),
        ("coinone", "rest-trades.json", "id"), ("coinone", "rest-trades.json", "price"), ("coinone", "rest-trades.json", "qty"),
        ("coinone", "rest-trades.json", "timestamp"), ("coinone", "rest-trades.json", "result"), ("coinone", "rest-trades.json", "target_currency"),
        ("coinone", "rest-markets.json", "quote_currency"), ("coinone", "rest-markets.json", "target_currency"), ("coinone", "rest-markets.json", "result"),
        ("upbit", "rest-status.json", "market"), ("upbit", "rest-status.json", "warning"),
        ("bithumb", "rest-status.json", "market"), ("bithumb", "rest-status.json", "market_warning"),
        ("bithumb", "rest-alerts.json", "market"), ("bithumb", "rest-alerts.json", "warning_type"),
    ])
    func missingFieldsAreRejected(folder: String, fixture: String, key: String) throws {
        let text = removing(key, from: try Fixture.bytes(folder + "/" + fixture))
        Self.expectRejected(folder, fixture, Array(text.utf8))
    }

    /// Upbit-format tickers need some time: `timestamp` or `trade_timestamp`.
    @Test func upbitTickerWithoutAnyTimeIsRejected() throws {
        let withoutTimestamp = removing("timestamp", from: try Fixture.bytes("upbit/ticker.json"))
        let error = ExchangesTests.expectRejected(UpbitAdapter(), text: removing("trade_timestamp", from: Array(withoutTimestamp.utf8)))
        #expect(error?.reason == "missing field timestamp")
    }

    /// A REST poll that returns no ticker failed.
    @Test func emptyRESTRepliesAreRejected() {
        let replies: [(any ExchangeAdapter, String)] = [
            (UpbitAdapter(), "[]"),
            (BybitAdapter(), #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[]},"retExtInfo":{},"time":1673859087947}"#),
            (CoinoneAdapter(), #"{"result":"success","error_code":"0","server_time":1701140412350,"tickers":[]}"#),
        ]
        for (adapter, body) in replies {
            let error = expectRESTRejected(adapter, path: Self.restPath(adapter), Array(body.utf8))
            #expect(error?.reason == "no ticker in the body")
        }
    }

    /// Frames whose nested parts are missing or of the wrong kind.
    @Test func brokenStructureIsRejected() {
        ExchangesTests.expectRejected(BinanceAdapter(), text: #"{"stream":"btcusdt@trade","data":{"E":1}}"#)
        ExchangesTests.expectRejected(BinanceAdapter(), text: #"{"stream":"btcusdt@trade","data":[1]}"#)
        ExchangesTests.expectRejected(BinanceAdapter(), text: #"{"stream":"btcusdt@trade"}"#)
        ExchangesTests.expectRejected(BybitAdapter(), text: #"{"topic":"tickers.BTCUSDT","ts":1}"#)
        ExchangesTests.expectRejected(BybitAdapter(), text: #"{"topic":"tickers.BTCUSDT","ts":1,"data":[]}"#)
        ExchangesTests.expectRejected(BybitAdapter(), text: #"{"topic":"publicTrade.BTCUSDT","ts":1,"data":{}}"#)
        ExchangesTests.expectRejected(BybitAdapter(), text: #"{"topic":7}"#)
        ExchangesTests.expectRejected(CoinoneAdapter(), text: #"{"response_type":"DATA","channel":"TICKER"}"#)
        ExchangesTests.expectRejected(CoinoneAdapter(), text: #"{"response_type":"DATA","data":{}}"#)
        ExchangesTests.expectRejected(BithumbLegacyAdapter(), text: #"{"type":"transaction"}"#)
        ExchangesTests.expectRejected(BithumbLegacyAdapter(), text: #"{"type":"transaction","content":{"list":{}}}"#)
        ExchangesTests.expectRejected(BithumbLegacyAdapter(), text: #"{"type":"ticker"}"#)
        ExchangesTests.expectRejected(UpbitAdapter(), text: #"{"status":"DOWN"}"#)
        ExchangesTests.expectRejected(UpbitAdapter(), text: #"{"type":"trade"}"#)
        ExchangesTests.expectRejected(UpbitAdapter(), text: #"{"error":"WRONG_FORMAT"}"#)
    }

    /// Every fixture with one byte overwritten, at every offset, by each of a few disruptive bytes:
    /// the result is a parse or a `FrameError` with nothing appended, never a crash.
    @Test(arguments: folders)
    func singleByteMutationsNeverCrash(folder: String) throws {
        for fixture in try Fixture.all(in: folder) {
            let kind = Kind(fixture: fixture.name)
            for offset in fixture.bytes.indices {
                for replacement in Array(#""}]0-x,:"#.utf8) + [0x00, 0xFF] {
                    var bytes = fixture.bytes
                    bytes[offset] = replacement
                    _ = Self.parses(folder, kind, bytes)
                }
            }
        }
    }

    /// Every fixture parses as its kind (the fixtures this suite mutates are valid to begin with),
    /// except the REST error replies.
    @Test(arguments: folders)
    func fixturesParseAsTheirKind(folder: String) throws {
        for fixture in try Fixture.all(in: folder) where !fixture.name.hasPrefix("rest-error") {
            #expect(Self.parses(folder, Kind(fixture: fixture.name), fixture.bytes), "\(folder)/\(fixture.name)")
        }
    }

    /// A text frame's UTF-8 and the binary frame's bytes give the same result for every fixture.
    @Test(arguments: folders)
    func textAndBinaryFramesAgree(folder: String) throws {
        let adapter = Self.adapter(folder)
        for fixture in try Fixture.all(in: folder) where Kind(fixture: fixture.name) == .frame {
            let text = String(decoding: fixture.bytes, as: UTF8.self)
            let binary = try parse(adapter, fixture.bytes)
            let fromText = try parse(adapter, text: text)
            #expect(fromText.kind == binary.kind, "\(folder)/\(fixture.name)")
            #expect(fromText.events == binary.events, "\(folder)/\(fixture.name)")
        }
    }
}
