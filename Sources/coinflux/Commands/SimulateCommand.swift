import ArgumentParser
import CoinfluxCore
import Logging
import ServiceLifecycle
import Simulator

/// `coinflux simulate`: the five exchanges' public protocols on loopback, with simulated markets.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve the five exchanges' WebSocket and REST protocols with simulated markets.",
        discussion: """
            Each exchange lives under its own path prefix at its real paths, e.g. \
            ws://HOST:PORT/upbit/websocket/v1 and http://HOST:PORT/upbit/v1/ticker. Point the collector \
            at it with collector.<exchange>.url and collector.<exchange>.rest_url (printed at start). \
            Every listed market trades --trade-rate times a second on average, whether or not anyone is \
            connected; a connection receives every trade of the markets it subscribes to plus --ticker-rate \
            ticker frames a second per ticker subscription, so it carries (markets) × (trade rate + ticker rate) \
            frames a second. Faults: POST /admin/<exchange>/<fault> with close, silence?seconds=N, \
            malformed?count=N, error, refuse?seconds=N (WebSocket upgrades), rest-limit?seconds=N (REST answers 429). \
            Markets: POST /admin/<exchange>/list?symbol=BASE-QUOTE and delist?symbol=BASE-QUOTE. \
            Trade log: GET /admin/<exchange>/trades?symbol=BASE-QUOTE. Counters: GET /admin/counters.
            """)

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8790

    @Option(name: [.customLong("trade-rate"), .customLong("rate")],
            help: "Trades per second of each market, on average (0-100000; --rate is the same option).")
    var tradeRate: Double = 5

    @Option(help: "Ticker frames per second on each ticker subscription of a connection (0-100000).")
    var tickerRate: Double = 1

    @Option(help: """
        Order-book ticks per second of each market (0-100000): one rate for every exchange, or per exchange \
        (binance=10,bybit=50), the others at 10.
        """)
    var bookRate = "10"

    @Option(help: "Trades each market keeps in its log, served by the REST trade endpoints and the admin log (1-1000000).")
    var tradeLog = 16_384

    @Option(help: "Seed of the markets (same seed, same trades).")
    var seed: UInt64?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard (0...100_000).contains(tradeRate) else { throw ValidationError("--trade-rate must be in 0...100000") }
        guard (0...100_000).contains(tickerRate) else { throw ValidationError("--ticker-rate must be in 0...100000") }
        guard (1...1_000_000).contains(tradeLog) else { throw ValidationError("--trade-log must be in 1...1000000") }
        guard Self.bookRates(bookRate) != nil else {
            throw ValidationError("--book-rate must be a rate in 0...100000 or exchange=rate pairs joined by ',' (binance=10,bybit=50)")
        }
        guard CoinfluxConfiguration.LogLevel(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(CoinfluxConfiguration.LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let logger = ProcessBootstrap.logger(level: CoinfluxConfiguration.LogLevel(rawValue: logLevel) ?? .info,
                                             label: "coinflux.simulate")
        var configuration = SimulatorConfiguration(
            host: host, port: port, tradesPerSecond: tradeRate, tickersPerSecond: tickerRate, seed: seed, tradeLogCapacity: tradeLog)
        if let rates = Self.bookRates(bookRate) {
            configuration.booksPerSecond = rates.all
            configuration.booksPerSecondByExchange = rates.byExchange
        }
        let simulator = ExchangeSimulator(configuration: configuration, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(services: [.init(service: simulator)], logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            let bound = try await simulator.listeningPort()
            print(Self.collectorSettings(host: host, port: bound))
            try await group.waitForAll()
        }
    }

    /// `--book-rate`: one rate for all (`10`), or exchange=rate pairs with the others at 10; nil
    /// when it is neither or a rate is outside 0...100000.
    static func bookRates(_ text: String) -> (all: Double, byExchange: [Exchange: Double])? {
        let valid = { (rate: Double) in (0...100_000).contains(rate) }
        if let rate = Double(text) { return valid(rate) ? (rate, [:]) : nil }
        var byExchange: [Exchange: Double] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let exchange = Exchange(rawValue: String(parts[0])), let rate = Double(parts[1]), valid(rate) else { return nil }
            byExchange[exchange] = rate
        }
        return byExchange.isEmpty ? nil : (10, byExchange)
    }

    /// The `--set` flags that point `coinflux collect` at a simulator on `host:port`.
    static func collectorSettings(host: String, port: Int) -> String {
        let paths: [(Exchange, String)] = [
            (.binance, "binance/ws"), (.upbit, "upbit/websocket/v1"), (.bybit, "bybit/v5/public/spot"),
            (.bithumb, "bithumb/websocket/v1"), (.coinone, "coinone/"),
        ]
        var lines = ["simulator listening on \(host):\(port); collector settings:"]
        for (exchange, path) in paths {
            lines.append("  --set collector.\(exchange.rawValue).url=ws://\(host):\(port)/\(path)")
            lines.append("  --set collector.\(exchange.rawValue).rest_url=http://\(host):\(port)/\(exchange.rawValue)")
        }
        return lines.joined(separator: "\n")
    }
}
