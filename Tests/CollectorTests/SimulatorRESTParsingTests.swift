import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation
import Logging
import Simulator
import Testing

/// The adapters' recent-trades and market-list parsers against the simulator's real responses:
/// each exchange's pages parse into the trades of the simulator's trade log (ids, prices, sizes,
/// sides, times), pages chain the way the adapter says they do, and the market lists are the
/// simulator's markets, before and after a delisting.
@Suite("Simulator REST bodies through the adapters", .serialized)
struct SimulatorRESTParsingTests {
    static let adapters: [any ExchangeAdapter] = [BinanceAdapter(), UpbitAdapter(), BithumbAdapter(), BybitAdapter(), CoinoneAdapter()]

    /// A simulator whose only markets are the feed tests' symbols, trading 300 times a second.
    static func startBusySimulator() async throws -> (ExchangeSimulator, Int) {
        var markets: [Exchange: [Symbol]] = [:]
        for exchange in Exchange.allCases { markets[exchange] = testSymbols(exchange) }
        let configuration = SimulatorConfiguration(tradesPerSecond: 300, tickersPerSecond: 1, seed: 7, markets: markets)
        let simulator = ExchangeSimulator(configuration: configuration, logger: Logger(label: "test.simulator"))
        return (simulator, try await simulator.start())
    }

    /// `GET` of `path` under the simulator's `exchange` prefix.
    static func get(_ port: Int, _ exchange: Exchange, _ path: String) async throws -> (status: Int, body: [UInt8]) {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/\(exchange.rawValue)\(path)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Array(buffer: body))
    }

    /// Fetches and parses one page of `symbol`'s recent trades.
    static func page(_ adapter: any ExchangeAdapter, _ symbol: Symbol, _ page: TradePage, port: Int) async throws -> TradeHistoryPage {
        let path = try #require(adapter.recentTradesPath(for: symbol, page: page))
        let (status, body) = try await get(port, adapter.exchange, path)
        #expect(status == 200, "\(path)")
        return try body.withUnsafeBytes { try adapter.parseRecentTrades(symbol: symbol, body: $0, receivedAt: 1) }
    }

    /// Expects every trade of `trades` to be the log's trade of the same id, as the exchange prints it.
    static func expectLogged(_ trades: [MarketEvent], in log: [LoggedTrade], _ adapter: any ExchangeAdapter, _ symbol: Symbol) {
        let byID = Dictionary(log.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for trade in trades {
            guard let logged = trade.tradeID.flatMap({ byID[$0] }) else {
                Issue.record("\(adapter.exchange): trade \(trade.tradeID ?? "nil") is not in the log")
                continue
            }
            #expect(trade.exchange == adapter.exchange && trade.symbol == symbol && trade.kind == .trade && trade.isBackfilled)
            #expect(trade.price == Double(logged.price) && trade.size == Double(logged.size), "\(adapter.exchange) \(logged)")
            #expect(trade.eventTimeNanos == logged.time * 1_000_000)
            #expect(trade.side == (logged.side == .buy ? .buy : .sell))
            #expect(trade.sequence == Int64(logged.id))
        }
    }

    @Test(arguments: 0..<5)
    func recentTrades(index: Int) async throws {
        let adapter = Self.adapters[index]
        let history = try #require(adapter.tradeHistory)
        let symbol = testSymbols(adapter.exchange)[0]
        let (simulator, port) = try await Self.startBusySimulator()
        defer { Task { await simulator.stop() } }
        #expect(await eventually(timeout: .seconds(30)) { simulator.trades(of: symbol, on: adapter.exchange).count > history.pageSize + 20 })

        let newest = try await Self.page(adapter, symbol, .newest, port: port)
        var log = simulator.trades(of: symbol, on: adapter.exchange)
        #expect(newest.trades.count == history.pageSize, "a full page: the log is longer")
        Self.expectLogged(newest.trades, in: log, adapter, symbol)
        let times = newest.trades.map(\.eventTimeNanos)
        if history.paging == .fromID {
            let ids = newest.trades.compactMap(\.sequence)
            #expect(ids.count == newest.trades.count && zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "consecutive ids, oldest first")
        } else {
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 }, "newest first")
        }

        switch history.paging {
        case .fromID:
            // From an id inside the newest page (the log may hold little more than that page).
            let from = try #require(newest.trades.first?.sequence) + 10
            let page = try await Self.page(adapter, symbol, .fromID(from), port: port)
            let ids = page.trades.compactMap(\.sequence)
            #expect(ids.first == from)
            #expect(ids.count == page.trades.count && zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 })
            #expect(Array(ids.prefix(newest.trades.count - 10)) == Array(newest.trades.compactMap(\.sequence).dropFirst(10)))
            log = simulator.trades(of: symbol, on: adapter.exchange)
            Self.expectLogged(page.trades, in: log, adapter, symbol)
        case .olderThanCursor:
            let cursor = try #require(newest.olderCursor)
            #expect(cursor == newest.trades.last?.tradeID)
            let older = try await Self.page(adapter, symbol, .olderThan(cursor: cursor), port: port)
            log = simulator.trades(of: symbol, on: adapter.exchange)
            Self.expectLogged(older.trades, in: log, adapter, symbol)
            #expect(!older.trades.isEmpty)
            // The older page continues right where the newer one ended, in the log's order.
            let numbers = Dictionary(log.map { ($0.id, $0.number) }, uniquingKeysWith: { first, _ in first })
            let lastNumber = try #require(newest.trades.last?.tradeID.flatMap { numbers[$0] })
            #expect(older.trades.first?.tradeID.flatMap { numbers[$0] } == lastNumber - 1)
        case .newestOnly:
            #expect(adapter.recentTradesPath(for: symbol, page: .olderThan(cursor: "1")) == nil)
        }

        // An unknown market: the exchange's error, parsed as one.
        let unknown = Symbol(base: "NOPE", quote: symbol.quote)
        let (_, body) = try await Self.get(port, adapter.exchange, try #require(adapter.recentTradesPath(for: unknown, page: .newest)))
        do {
            _ = try body.withUnsafeBytes { try adapter.parseRecentTrades(symbol: unknown, body: $0, receivedAt: 1) }
            Issue.record("\(adapter.exchange): an unknown market's reply parsed")
        } catch let error as FrameError {
            #expect(error.reason.hasPrefix("exchange error: "), "\(adapter.exchange): \(error.reason)")
        }
    }

    /// Fetches and parses the market list.
    static func markets(_ adapter: any ExchangeAdapter, port: Int) async throws -> [ListedMarket] {
        let path = try #require(adapter.marketListPath)
        let (status, body) = try await get(port, adapter.exchange, path)
        #expect(status == 200, "\(path)")
        return try body.withUnsafeBytes { try adapter.parseMarketList(body: $0) }
    }

    @Test(arguments: 0..<6)
    func marketLists(index: Int) async throws {
        let adapter = index < 5 ? Self.adapters[index] : BithumbLegacyAdapter()
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(seed: 7), logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let listed = simulator.listedSymbols(on: adapter.exchange)
        var markets = try await Self.markets(adapter, port: port)
        #expect(Set(markets.map(\.symbol)) == Set(listed), "\(adapter.exchange)")
        #expect(markets.allSatisfy { $0.isTrading })

        let delisted = try #require(listed.last)
        #expect(simulator.delist(delisted, on: adapter.exchange))
        markets = try await Self.markets(adapter, port: port)
        if adapter.exchange == .binance {
            #expect(markets.first { $0.symbol == delisted } == ListedMarket(symbol: delisted, isTrading: false), "Binance keeps it, in BREAK")
        } else {
            #expect(!markets.contains { $0.symbol == delisted })
        }
        #expect(markets.filter(\.isTrading).count == listed.count - 1)
    }
}
