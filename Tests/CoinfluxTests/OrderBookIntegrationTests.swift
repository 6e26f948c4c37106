import CoinfluxCore
import Foundation
import Kafka
import Logging
import Simulator
import TestSupport
import Testing

/// Order books end to end: the simulator serves books, `coinflux collect` keeps them in sync and
/// produces them to the books topic of a real broker, `coinflux process` writes `orderbook` and
/// `premium_executable` points to a real InfluxDB; the test rebuilds every point from the books the
/// simulator served (its own arithmetic, not coinflux's) and compares.
@Suite("Order books end to end", .serialized)
struct OrderBookIntegrationTests {
    static let booksPerSecond = 10.0
    static let depth = 20
    static let markets: [(Exchange, Symbol)] = [
        (.binance, Symbol(base: "BTC", quote: "USDT")), (.upbit, Symbol(base: "BTC", quote: "KRW")),
        (.bithumb, Symbol(base: "BTC", quote: "KRW")), (.coinone, Symbol(base: "BTC", quote: "KRW")),
        (.bybit, Symbol(base: "BTC", quote: "USDT")),
    ]

    struct BookKey: Hashable {
        var exchange: String
        var symbol: String
        var tick: Int64
    }

    /// The levels a point was computed from: the served book's best `depth` a side (Coinone sends 15).
    static func levels(_ book: ServedBook, exchange: Exchange) -> (bids: [(Double, Double)], asks: [(Double, Double)]) {
        let count = exchange == .coinone ? 15 : depth
        func convert(_ side: [ServedBook.Level]) -> [(Double, Double)] {
            side.prefix(count).map { (Double($0.price) ?? .nan, Double($0.size) ?? .nan) }
        }
        return (convert(book.bids), convert(book.asks))
    }

    /// Quote value of the levels within `bps` of `mid`, walking from the best.
    static func depth(_ side: [(Double, Double)], mid: Double, bps: Double, bids: Bool) -> Double {
        var total = 0.0
        for (price, size) in side {
            let inside = bids ? price >= mid * (1 - bps / 10_000) : price <= mid * (1 + bps / 10_000)
            if !inside { break }
            total += price * size
        }
        return total
    }

    /// (quantity, quote amount) of a market order walking `side` until `quote` is spent or received.
    static func walk(_ side: [(Double, Double)], quote target: Double) -> (quantity: Double, amount: Double) {
        var quantity = 0.0, amount = 0.0
        for (price, size) in side {
            if amount + price * size >= target { return (quantity + (target - amount) / price, target) }
            quantity += size
            amount += price * size
        }
        return (quantity, amount)
    }

    /// (quantity, quote amount) of a market order walking `side` until `target` quantity.
    static func walk(_ side: [(Double, Double)], quantity target: Double) -> (quantity: Double, amount: Double) {
        var quantity = 0.0, amount = 0.0
        for (price, size) in side {
            if quantity + size >= target { return (target, amount + (target - quantity) * price) }
            quantity += size
            amount += price * size
        }
        return (quantity, amount)
    }

    static func close(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= 1e-9 * max(1, abs(b))
    }

    @Test func orderbookAndExecutablePremiumPointsAreTheServedBooks() async throws {
        let database = "it_books_\(UUID().uuidString.prefix(8).lowercased())"
        let harness = try await ProcessorHarness.make(databases: [database])
        let booksTopic = "it.books.\(harness.suffix)"
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: [harness.broker]), logger: Logger(label: "test.admin"))
        try await admin.createTopic(booksTopic, partitions: 6)
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 20, tickersPerSecond: 2,
                                                                                booksPerSecond: Self.booksPerSecond, seed: 11),
                                          logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        let processor = try harness.startProcessor(group: "it-books-\(harness.suffix)", database: database, extra: [
            "--set", "kafka.books_topic=\(booksTopic)", "--set", "processor.books=true", "--set", "processor.premium_size=20000000",
        ])
        defer { processor.killNow() }
        let collector = try harness.startCollector(simulatorPort: port, extra: [
            "--set", "kafka.books_topic=\(booksTopic)", "--set", "collector.books_publish_interval=100ms",
        ] + Self.markets.flatMap { ["--set", "collector.\($0.0.rawValue).books=\($0.1)"] })
        defer { collector.killNow() }

        // The simulator keeps the last 64 ticks of each book: collect them as they are served.
        var served: [BookKey: ServedBook] = [:]
        func capture() {
            for (exchange, symbol) in Self.markets {
                guard let latest = simulator.book(of: symbol, on: exchange) else { continue }
                for tick in (latest.tick - 40)...latest.tick {
                    let key = BookKey(exchange: exchange.rawValue, symbol: symbol.description, tick: tick)
                    if served[key] == nil, let book = simulator.book(of: symbol, on: exchange, tick: tick) { served[key] = book }
                }
            }
        }
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(30) {
            try await Task.sleep(for: .seconds(2))
            capture()
        }
        #expect(collector.terminate() == 0)
        // The last books the collector published, served after the last capture.
        capture()
        try await harness.waitForQuiet("orderbook", field: "mid", database: database)
        // BTC-KRW is on the default watchlist: its executable premium is also a gauge.
        let gauge = await processor.sample(#"coinflux_market_premium_executable_ratio{exchange="upbit",base="BTC",direction="buy"}"#)
        #expect(processor.terminate() == 0)
        await simulator.stop()

        let tickMilliseconds = Int64(1_000 / Self.booksPerSecond)
        func servedBook(_ exchange: String, _ symbol: String, timeNanos: Int64) -> ServedBook? {
            guard timeNanos % (tickMilliseconds * 1_000_000) == 0 else { return nil }
            return served[BookKey(exchange: exchange, symbol: symbol, tick: timeNanos / 1_000_000 / tickMilliseconds)]
        }

        // orderbook: every point against its tick's served book.
        var checked: [String: Int] = [:]
        var mismatches: [String] = []
        for series in try await harness.influx.query("SELECT * FROM orderbook GROUP BY exchange, symbol", database: database) {
            let exchangeName = series.tags?["exchange"] ?? "", symbol = series.tags?["symbol"] ?? ""
            guard let exchange = Exchange(rawValue: exchangeName) else { continue }
            for row in series.values {
                let value = { (name: String) -> Double? in
                    series.columns.firstIndex(of: name).flatMap { row[$0].double ?? row[$0].integer.map(Double.init) }
                }
                guard let time = row.first?.integer, let book = servedBook(exchangeName, symbol, timeNanos: time) else { continue }
                let (bids, asks) = Self.levels(book, exchange: exchange)
                let mid = (bids[0].0 + asks[0].0) / 2
                let bid50 = Self.depth(bids, mid: mid, bps: 50, bids: true), ask50 = Self.depth(asks, mid: mid, bps: 50, bids: false)
                let spread: Double = (asks[0].0 - bids[0].0) / mid * 10_000
                let bid10: Double = Self.depth(bids, mid: mid, bps: 10, bids: true)
                let ask10: Double = Self.depth(asks, mid: mid, bps: 10, bids: false)
                let imbalance: Double = (bid50 - ask50) / (bid50 + ask50)
                var expected: [(String, Double)] = [("bid", bids[0].0), ("bid_size", bids[0].1), ("ask", asks[0].0), ("ask_size", asks[0].1)]
                expected += [("mid", mid), ("spread_bps", spread), ("bid_depth_10bps", bid10), ("ask_depth_10bps", ask10)]
                expected += [("bid_depth_50bps", bid50), ("ask_depth_50bps", ask50), ("imbalance", imbalance)]
                expected += [("bid_levels", Double(bids.count)), ("ask_levels", Double(asks.count))]
                let wrong = expected.filter { !Self.close(value($0.0), $0.1) }
                if wrong.isEmpty {
                    checked[exchangeName, default: 0] += 1
                } else {
                    let described: [String] = wrong.map { (name: String, want: Double) -> String in
                        let got: String = value(name).map { String($0) } ?? "nil"
                        return "\(name) \(got) ≠ \(want)"
                    }
                    mismatches.append("\(exchangeName) \(symbol) at \(time): " + described.joined(separator: ", "))
                }
            }
        }
        print("orderbook points checked against the served books: \(checked.sorted { $0.key < $1.key })")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(3))")
        for (exchange, _) in Self.markets {
            #expect((checked[exchange.rawValue] ?? 0) >= 10, "\(exchange): \(checked[exchange.rawValue] ?? 0) orderbook points checked")
        }

        // premium_executable: the KRW book of its tick against one of the reference books served
        // shortly before (which one the processor held depends on the order books reached the topic).
        var premiumsChecked = 0
        var premiumMismatches: [String] = []
        for series in try await harness.influx.query("SELECT * FROM premium_executable GROUP BY exchange, symbol", database: database) {
            let exchangeName = series.tags?["exchange"] ?? ""
            guard let exchange = Exchange(rawValue: exchangeName) else { continue }
            for row in series.values {
                let value = { (name: String) -> Double? in
                    series.columns.firstIndex(of: name).flatMap { row[$0].double ?? row[$0].integer.map(Double.init) }
                }
                guard let time = row.first?.integer, let krwBook = servedBook(exchangeName, "BTC-KRW", timeNanos: time),
                      let rate = value("krw_per_usdt"), let size = value("size_krw") else { continue }
                let krw = Self.levels(krwBook, exchange: exchange)
                let bought = Self.walk(krw.asks, quote: size), sold = Self.walk(krw.bids, quote: size)
                let tick = time / 1_000_000 / tickMilliseconds
                let matched = ((tick - 60)...(tick + 10)).contains { referenceTick in
                    guard let reference = served[BookKey(exchange: "binance", symbol: "BTC-USDT", tick: referenceTick)] else { return false }
                    let ref = Self.levels(reference, exchange: .binance)
                    let refSell = Self.walk(ref.bids, quantity: bought.quantity), refBuy = Self.walk(ref.asks, quantity: sold.quantity)
                    let buy = (bought.amount / bought.quantity) / (refSell.amount / refSell.quantity * rate) - 1
                    let sell = (sold.amount / sold.quantity) / (refBuy.amount / refBuy.quantity * rate) - 1
                    return Self.close(value("buy_premium"), buy) && Self.close(value("sell_premium"), sell)
                        && Self.close(value("buy_krw_fill"), bought.amount / size) && Self.close(value("sell_krw_fill"), sold.amount / size)
                        && Self.close(value("buy_reference_fill"), refSell.quantity / bought.quantity)
                        && Self.close(value("sell_reference_fill"), refBuy.quantity / sold.quantity)
                }
                if matched {
                    premiumsChecked += 1
                } else {
                    let candidates = ((tick - 60)...(tick + 10)).filter { served[BookKey(exchange: "binance", symbol: "BTC-USDT", tick: $0)] != nil }
                    let orderbookTimes = try await harness.influx.query(
                        "SELECT bid, ask FROM orderbook WHERE exchange = 'binance' AND time <= \(time) ORDER BY time DESC LIMIT 3", database: database)
                    premiumMismatches.append("\(exchangeName) at \(time) (tick \(tick)): buy \(value("buy_premium") ?? .nan) sell \(value("sell_premium") ?? .nan) fills \(value("buy_krw_fill") ?? .nan) \(value("buy_reference_fill") ?? .nan); reference ticks served \(candidates.first ?? -1)…\(candidates.last ?? -1) (\(candidates.count)); binance orderbook points before: \(orderbookTimes.first?.values.map { $0.map { $0.double ?? Double($0.integer ?? 0) } } ?? [])")
                }
            }
        }
        print("premium_executable points rebuilt from the served books: \(premiumsChecked), unmatched \(premiumMismatches.count)")
        let latest = try await harness.influx.query(
            "SELECT last(buy_premium) FROM premium_executable WHERE exchange = 'upbit' AND symbol = 'BTC-KRW'", database: database)
        let lastPoint: Double? = latest.first?.values.first?.last?.double
        #expect(gauge != nil)
        #expect(gauge == lastPoint)
        #expect(premiumMismatches.isEmpty, "\(premiumMismatches.prefix(3))")
        #expect(premiumsChecked >= 20)
    }
}
