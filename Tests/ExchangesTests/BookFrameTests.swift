import CoinfluxCore
import Exchanges
import Testing

/// Every exchange's documented order-book messages (`Fixtures/<exchange>/book*.json`, copied from
/// the exchanges' pages), parsed into the updates the documentation shows, and the book
/// subscriptions each adapter sends.
@Suite("Order-book frames")
struct BookFrameTests {
    static let bnbBTC = Symbol(base: "BNB", quote: "BTC")
    static let btcUSDT = Symbol(base: "BTC", quote: "USDT")
    static let btcKRW = Symbol(base: "BTC", quote: "KRW")

    static func levels(_ pairs: [(Double, Double)]) -> [BookLevel] {
        pairs.map { BookLevel(price: $0.0, size: $0.1) }
    }

    static func parseBook(_ adapter: any OrderBookAdapter, _ fixture: String) throws -> (FrameKind, [BookUpdate]) {
        let bytes = try Fixture.bytes(fixture)
        var updates: [BookUpdate] = []
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FrameError) in try adapter.parseBook(frame: buffer, receivedAt: receivedAt, into: &updates) }
        }
        return (try result.get(), updates)
    }

    static func parseSnapshot(_ fixture: String) throws -> BookUpdate {
        let bytes = try Fixture.bytes(fixture)
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FrameError) in try BinanceAdapter().parseBookSnapshot(symbol: bnbBTC, body: buffer, receivedAt: receivedAt) }
        }
        return try result.get()
    }

    /// Binance's diff-depth example (its `//` comments removed), raw and in the combined-stream wrapper.
    @Test(arguments: ["binance/book-depth-update.json", "binance/book-combined-depth-update.json"])
    func binanceDepthUpdate(fixture: String) throws {
        let (kind, updates) = try Self.parseBook(BinanceAdapter(), fixture)
        #expect(kind == .data)
        #expect(updates == [BookUpdate(
            kind: .delta, exchange: .binance, symbol: Self.bnbBTC, bids: Self.levels([(0.0024, 10)]), asks: Self.levels([(0.0026, 100)]),
            firstUpdateID: 157, updateID: 160, eventTimeNanos: 1_672_515_782_136_000_000, receiveTimeNanos: receivedAt
        )])
    }

    @Test func binanceRESTSnapshot() throws {
        #expect(try Self.parseSnapshot("binance/rest-book.json") == BookUpdate(
            kind: .snapshot, exchange: .binance, symbol: Self.bnbBTC, bids: Self.levels([(4, 431)]), asks: Self.levels([(4.000002, 12)]),
            updateID: 1_027_024, eventTimeNanos: receivedAt, receiveTimeNanos: receivedAt
        ))
        #expect(BinanceAdapter().bookSnapshotPath(for: Self.bnbBTC) == "/api/v3/depth?symbol=BNBBTC&limit=100")
        #expect(throws: FrameError("exchange error: -1121: Invalid symbol.")) {
            try Self.parseSnapshot("binance/rest-error-book.json")
        }
    }

    /// Bybit's snapshot example (its `...` elisions left out) and its delta example.
    @Test func bybitSnapshotAndDelta() throws {
        let (_, snapshot) = try Self.parseBook(BybitAdapter(), "bybit/book-snapshot.json")
        #expect(snapshot == [BookUpdate(
            kind: .snapshot, exchange: .bybit, symbol: Self.btcUSDT,
            bids: Self.levels([(16_493.50, 0.006), (16_493.00, 0.100)]), asks: Self.levels([(16_611.00, 0.029), (16_612.00, 0.213)]),
            updateID: 18_521_288, eventTimeNanos: 1_672_304_484_978_000_000, receiveTimeNanos: receivedAt
        )])
        let (_, delta) = try Self.parseBook(BybitAdapter(), "bybit/book-delta.json")
        #expect(delta == [BookUpdate(
            kind: .delta, exchange: .bybit, symbol: Self.btcUSDT,
            bids: Self.levels([(30_247.20, 30.028), (30_245.40, 0.224), (30_242.10, 1.593), (30_240.30, 1.305), (30_240.00, 0)]),
            asks: Self.levels([(30_248.70, 0), (30_249.30, 0.892), (30_249.50, 1.778), (30_249.60, 0), (30_251.90, 2.947),
                               (30_252.20, 0.659), (30_252.50, 4.591)]),
            updateID: 177_400_507, eventTimeNanos: 1_687_940_967_466_000_000, receiveTimeNanos: receivedAt
        )])
    }

    /// Upbit's DEFAULT example and the element of its SIMPLE_LIST example; Bithumb's example (four of its units).
    @Test func upbitAndBithumbSnapshots() throws {
        let expectedUpbit = BookUpdate(
            kind: .snapshot, exchange: .upbit, symbol: Self.btcKRW,
            bids: Self.levels([(137_001_000, 0.03656812), (137_000_000, 0.33543284), (136_999_000, 0.00104379)]),
            asks: Self.levels([(137_002_000, 0.10623869), (137_023_000, 0.06144079), (137_050_000, 0.0055433)]),
            eventTimeNanos: 1_746_601_573_804_000_000, receiveTimeNanos: receivedAt
        )
        #expect(try Self.parseBook(UpbitAdapter(), "upbit/book.json").1 == [expectedUpbit])
        let simple = try Self.parseBook(UpbitAdapter(), "upbit/book-simple.json").1
        #expect(simple.first?.bids == Self.levels([(148_830_000, 0.34809059), (148_820_000, 0.02744065), (148_810_000, 0.04667566)]))
        #expect(simple.first?.asks == Self.levels([(148_880_000, 0.37765316), (148_890_000, 0.64120607), (148_900_000, 0.70085443)]))
        #expect(simple.first?.eventTimeNanos == 1_751_855_921_432_000_000)
        #expect(try Self.parseBook(BithumbAdapter(), "bithumb/book.json").1 == [BookUpdate(
            kind: .snapshot, exchange: .bithumb, symbol: Self.btcKRW,
            bids: Self.levels([(478_300, 5.6370), (477_900, 0.9705), (471_200, 3.9279), (469_000, 0.5723)]),
            asks: Self.levels([(478_800, 4.3478), (489_700, 2.3642), (493_100, 411.8686), (497_900, 2.3299)]),
            eventTimeNanos: 1_725_930_007_672_000_000, receiveTimeNanos: receivedAt
        )])
    }

    /// Coinone's example (four of its sixteen levels a side); its asks run from the highest price down.
    @Test func coinoneSnapshot() throws {
        let (_, updates) = try Self.parseBook(CoinoneAdapter(), "coinone/book.json")
        #expect(updates == [BookUpdate(
            kind: .snapshot, exchange: .coinone, symbol: Symbol(base: "XRP", quote: "KRW"),
            bids: Self.levels([(687.4, 6_704.0994), (687.3, 4_542.9611), (687.2, 71_156.782_796_01), (685.2, 39_610.424)]),
            asks: Self.levels([(695.5, 5_000), (692.1, 15_000), (690.9, 118_063.7475), (687.5, 47_022.8803)]),
            updateID: 1_693_560_155_038_001, eventTimeNanos: 1_693_560_155_038_000_000, receiveTimeNanos: receivedAt
        )])
        // The book sorts them: the best ask is the lowest.
        let book = OrderBook(bids: updates[0].bids, asks: updates[0].asks)
        #expect(book.bestAsk == BookLevel(price: 687.5, size: 47_022.8803))
    }

    /// Frames of a book connection that are not books come back as the market-data parser reads them.
    @Test func otherFramesOfABookConnection() throws {
        #expect(try Self.parseBook(BinanceAdapter(), "binance/ack.json").0 == .acknowledgement("id 1"))
        #expect(try Self.parseBook(CoinoneAdapter(), "coinone/pong.json").0 == .pong)
        // A ticker on a book connection is not a book: ignored, not an error.
        #expect(try Self.parseBook(UpbitAdapter(), "upbit/ticker.json") == (.ignored, []))
    }

    @Test func bookSubscriptions() {
        let symbols = [Self.btcUSDT, Symbol(base: "ETH", quote: "USDT")]
        #expect(BinanceAdapter().bookSubscriptionFrames(for: symbols, depth: 20) == [
            .text(#"{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms","ethusdt@depth@100ms"],"id":1}"#),
        ])
        #expect(BybitAdapter().bookSubscriptionFrames(for: symbols, depth: 20) == [
            .text(#"{"req_id":"1","op":"subscribe","args":["orderbook.50.BTCUSDT","orderbook.50.ETHUSDT"]}"#),
        ])
        #expect(BybitAdapter().bookUnsubscriptionFrames(for: [Self.btcUSDT], depth: 200) == [
            .text(#"{"req_id":"1","op":"unsubscribe","args":["orderbook.200.BTCUSDT"]}"#),
        ])
        #expect(UpbitAdapter().bookSubscriptionFrames(for: [Self.btcKRW], depth: 15) == [
            .text(#"[{"ticket":"coinflux-books-upbit"},{"type":"orderbook","codes":["KRW-BTC.15"]},{"format":"DEFAULT"}]"#),
        ])
        #expect(CoinoneAdapter().bookSubscriptionFrames(for: [Self.btcKRW], depth: 20) == [
            .text(#"{"request_type":"SUBSCRIBE","channel":"ORDERBOOK","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#),
        ])
        #expect(UpbitAdapter().bookDepth(for: 20) == 30 && UpbitAdapter().bookDepth(for: 50) == 30)
        #expect(BybitAdapter().bookDepth(for: 1) == 1 && BybitAdapter().bookDepth(for: 51) == 200)
    }
}
