import CoinfluxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Simulator
import TestSupport
import Testing

/// Market status flags end to end: markets flagged through the simulator's admin endpoint,
/// `coinflux collect` reads them from the exchanges' REST APIs and produces status records to a
/// real broker, `coinflux process` writes `market_status` points to a real InfluxDB and sets
/// `coinflux_market_status_flagged`; cleared flags bring both back.
@Suite("Market status end to end", .serialized)
struct MarketStatusIntegrationTests {
    /// `POST /admin/<exchange>/flag?<query>` on the simulator; the HTTP status.
    static func flag(_ exchange: Exchange, _ query: String, port: Int) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/admin/\(exchange.rawValue)/flag?\(query)")))
        request.httpMethod = "POST"
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// The latest `market_status` point of a market: (flagged, warning, cautions).
    static func latestStatus(_ harness: ProcessorHarness, _ exchange: Exchange, _ symbol: String, database: String)
        async throws -> (flagged: Bool?, warning: Bool?, cautions: String?)? {
        let series = try await harness.influx.query(
            "SELECT flagged, warning, cautions FROM market_status WHERE exchange = '\(exchange.rawValue)' AND symbol = '\(symbol)' ORDER BY time DESC LIMIT 1",
            database: database)
        guard let first = series.first, let row = first.values.first else { return nil }
        func cell(_ name: String) -> InfluxHTTP.Cell? { first.columns.firstIndex(of: name).map { row[$0] } }
        return (cell("flagged")?.boolean, cell("warning")?.boolean, cell("cautions")?.string)
    }

    /// Polls `condition` every 250 ms until it holds or `timeout` passes.
    static func within(_ timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return try await condition()
    }

    @Test func flaggedMarketsReachInfluxDBAndTheGauge() async throws {
        let database = "it_status_\(UUID().uuidString.prefix(8).lowercased())"
        let harness = try await ProcessorHarness.make(databases: [database])
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 2, tickersPerSecond: 2, seed: 5),
                                          logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        let processor = try harness.startProcessor(group: "it-status-\(harness.suffix)", database: database)
        defer { processor.killNow() }
        let collector = try harness.startCollector(simulatorPort: port, extra: [
            "--set", "collector.market_status_interval=1s",
            "--set", "collector.binance.enabled=false", "--set", "collector.bybit.enabled=false", "--set", "collector.coinone.enabled=false",
        ])
        defer { collector.killNow() }

        // Before any flag: the tracked KRW markets are known and not flagged.
        let gauge = { (exchange: String, base: String) async -> Double? in
            await processor.sample(#"coinflux_market_status_flagged{exchange="\#(exchange)",base="\#(base)"}"#)
        }
        let appeared = await Self.within(.seconds(60)) {
            let (upbitETH, bithumbBTC) = (await gauge("upbit", "ETH"), await gauge("bithumb", "BTC"))
            return upbitETH == 0 && bithumbBTC == 0
        }
        #expect(appeared, "the unflagged markets' gauges did not appear at 0")
        #expect(await gauge("bithumb", "XRP") == nil, "a gauge of an untracked market")

        #expect(try await Self.flag(.upbit, "symbol=ETH-KRW&warning=true&caution=PRICE_FLUCTUATIONS", port: port) == 200)
        #expect(try await Self.flag(.bithumb, "symbol=BTC-KRW&caution=PRICE_SUDDEN_FLUCTUATION,PRICE_DIFFERENCE_HIGH", port: port) == 200)
        #expect(try await Self.flag(.binance, "symbol=BTC-USDT&warning=true", port: port) == 400)
        let flagged = try await Self.within(.seconds(30)) {
            let (value, point) = (await gauge("upbit", "ETH"), try await Self.latestStatus(harness, .upbit, "ETH-KRW", database: database))
            return value == 1 && point?.flagged == true
        }
        #expect(flagged, "the Upbit warning did not reach the gauge and InfluxDB")
        let eth = try await Self.latestStatus(harness, .upbit, "ETH-KRW", database: database)
        #expect(eth?.warning == true && eth?.cautions == "PRICE_FLUCTUATIONS")
        // The gauge is set when the record is derived, the point written with its batch: wait for both.
        let bithumbFlagged = try await Self.within(.seconds(30)) {
            let (value, point) = (await gauge("bithumb", "BTC"), try await Self.latestStatus(harness, .bithumb, "BTC-KRW", database: database))
            return value == 1 && point?.flagged == true
        }
        #expect(bithumbFlagged, "the Bithumb alerts did not reach the gauge and InfluxDB")
        let bithumbBTC = try await Self.latestStatus(harness, .bithumb, "BTC-KRW", database: database)
        #expect(bithumbBTC?.flagged == true && bithumbBTC?.warning == false && bithumbBTC?.cautions == "PRICE_DIFFERENCE_HIGH,PRICE_SUDDEN_FLUCTUATION")
        let upbitBTC = await gauge("upbit", "BTC")
        #expect(upbitBTC == 0, "an unflagged market's gauge moved")

        // Cleared: back to 0 in both.
        #expect(try await Self.flag(.upbit, "symbol=ETH-KRW", port: port) == 200)
        let unflagged = try await Self.within(.seconds(30)) {
            let (value, point) = (await gauge("upbit", "ETH"), try await Self.latestStatus(harness, .upbit, "ETH-KRW", database: database))
            return value == 0 && point?.flagged == false
        }
        #expect(unflagged, "the cleared flags did not reach the gauge and InfluxDB")
        let cleared = try await Self.latestStatus(harness, .upbit, "ETH-KRW", database: database)
        #expect(cleared?.warning == false && cleared?.cautions == "")
        for exchange in ["upbit", "bithumb"] {
            let failedReads = await collector.sample(#"coinflux_market_status_polls_total{exchange="\#(exchange)",outcome="failed"}"#)
            let reads = await collector.sample(#"coinflux_market_status_polls_total{exchange="\#(exchange)",outcome="ok"}"#)
            #expect(failedReads == 0, "\(exchange)")
            #expect((reads ?? 0) >= 2, "\(exchange): \(reads ?? 0) reads")
        }

        #expect(collector.terminate() == 0)
        #expect(processor.terminate() == 0)
        await simulator.stop()
    }
}
