import CoinfluxCore
import Collector
import Foundation
import Testing

@testable import coinflux

extension ConfigurationTests {
    @Test("symbols: a list as before, all, top:N (YAML, environment, flags); quotes and the discovery interval")
    func marketSelection() throws {
        let defaults = try load(nil)
        #expect(defaults.feeds[.upbit]?.selection == .symbols(["BTC-KRW", "ETH-KRW", "USDT-KRW"].compactMap { Symbol(normalized: $0) }))
        #expect(defaults.feeds[.binance]?.quotes == ["USDT"])
        #expect(defaults.feeds[.coinone]?.quotes == ["KRW"])
        #expect(defaults.feedTiming.discoveryInterval == .seconds(300))

        let all = try load("collector:\n  binance:\n    symbols: all\n    quotes: [usdt, FDUSD]\n  discovery_interval: 30s\n")
        #expect(all.feeds[.binance]?.selection == .all)
        #expect(all.feeds[.binance]?.quotes == ["USDT", "FDUSD"])
        #expect(all.feeds[.binance]?.isActive == true)
        #expect(all.feeds[.binance]?.symbols == [])
        #expect(all.feedTiming.discoveryInterval == .seconds(30))
        #expect(try load(nil, environment: ["COINFLUX_COLLECTOR_UPBIT_SYMBOLS": "TOP:20"]).feeds[.upbit]?.selection == .top(20))
        #expect(try load(nil, set: ["collector.bybit.symbols=top: 5"]).feeds[.bybit]?.selection == .top(5))
        #expect(try load(nil, set: ["collector.bybit.symbols=BTC-USDT"]).feeds[.bybit]?.selection == .symbols([Symbol(base: "BTC", quote: "USDT")]))

        // The effective configuration loads back as the same selection.
        let summary = try load(nil, set: ["collector.upbit.symbols=top:7", "collector.bithumb.symbols=all"]).effectiveSummary()
        let reloaded = try load(summary)
        #expect(reloaded.feeds[.upbit]?.selection == .top(7))
        #expect(reloaded.feeds[.bithumb]?.selection == .all)
        #expect(reloaded.feeds[.binance]?.selection == defaults.feeds[.binance]?.selection)
    }

    @Test(arguments: [
        ("top:0", "top:0 is outside top:1...top:4096"),
        ("top:x", "\"top:x\" is not top:N with a whole number N (e.g. top:20)"),
        ("top:", "\"top:\" is not top:N with a whole number N (e.g. top:20)"),
        ("top:4097", "top:4097 is outside top:1...top:4096"),
        ("everything", "\"everything\" is not a symbol of the form BASE-QUOTE (e.g. BTC-USDT)"),
    ])
    func badSelectionsNameTheKey(value: String, reason: String) {
        let failure = error(nil, set: ["collector.upbit.symbols=\(value)"])
        #expect(failure?.key == "collector.upbit.symbols")
        #expect(failure?.reason == reason)
    }

    @Test func badQuotesNameTheKey() {
        #expect(error(nil, set: ["collector.binance.quotes=US-DT"])?.key == "collector.binance.quotes")
        #expect(error(nil, set: ["collector.binance.quotes=USDT,usdt"])?.reason == "USDT is listed more than once")
        #expect(error("collector:\n  binance:\n    quotes: []\n")?.reason == "must name at least one currency")
        #expect(error(nil, set: ["collector.discovery_interval=0s"])?.key == "collector.discovery_interval")
    }

    /// Order books: off by default; per exchange, with the shared depth, interval and age; the
    /// legacy Bithumb API has none; the processor's side.
    @Test func orderBookKeys() throws {
        let defaults = try load(nil)
        #expect(defaults.feeds.values.allSatisfy { $0.books.isEmpty })
        #expect(defaults.processor.books == false && defaults.kafka.booksTopic == "market.books")
        #expect(defaults.feedTiming.bookDepth == 20 && defaults.feedTiming.bookPublishInterval == .milliseconds(250))
        #expect(defaults.processor.premiumSize == 10_000_000 && defaults.processor.orderbookInterval == .seconds(1))
        let books = try load("collector:\n  upbit:\n    books: [BTC-KRW, ETH-KRW]\n  books_depth: 5\nprocessor:\n  books: true\n  premium_size: 5000000\n")
        #expect(books.feeds[.upbit]?.books == [Symbol(base: "BTC", quote: "KRW"), Symbol(base: "ETH", quote: "KRW")])
        #expect(books.feedTiming.bookDepth == 5 && books.processor.books && books.processor.premiumSize == 5_000_000)
        let legacy = error(nil, set: ["collector.bithumb.api=legacy", "collector.bithumb.books=BTC-KRW"])
        #expect(legacy?.key == "collector.bithumb.books")
        #expect(legacy?.reason.contains("collector.bithumb.api: v1") == true)
        #expect(error(nil, set: ["collector.books_depth=0"])?.key == "collector.books_depth")
        #expect(error(nil, set: ["processor.premium_size=0"])?.key == "processor.premium_size")
    }
}
