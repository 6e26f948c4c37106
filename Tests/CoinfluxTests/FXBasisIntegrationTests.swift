import CoinfluxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Simulator
import TestSupport
import Testing

/// The `fx` premium basis and the tether premium end to end: the simulator's FX source
/// (open.er-api-shaped, read with the default paths), `coinflux collect` reading it and producing
/// rates to the FX topic of a real broker, `coinflux process` writing `premium` points of all three
/// bases to a real InfluxDB. Every point is checked against an independent computation from what
/// the simulator served and what was written beside it.
@Suite("FX basis end to end", .serialized)
struct FXBasisIntegrationTests {
    /// One `premium` point: its tags and fields.
    struct PremiumPoint {
        var time: Int64
        var exchange: String
        var base: String
        var basis: String
        var premium: Double
        var price: Double
        var referencePrice: Double?
        var krwPerUSDT: Double?
        var krwPerUSD: Double?
        var fxAge: Double?
    }

    static func premiumPoints(_ harness: ProcessorHarness, database: String) async throws -> [PremiumPoint] {
        let series = try await harness.influx.query(
            "SELECT premium, price, reference_price, krw_per_usdt, krw_per_usd, fx_age_seconds FROM premium GROUP BY exchange, base, basis",
            database: database)
        return series.flatMap { series in
            series.values.compactMap { row -> PremiumPoint? in
                guard let time = row[0].integer, let premium = row[1].double, let price = row[2].double else { return nil }
                let tags = series.tags ?? [:]
                return PremiumPoint(time: time, exchange: tags["exchange"] ?? "", base: tags["base"] ?? "", basis: tags["basis"] ?? "",
                                    premium: premium, price: price, referencePrice: row[3].double, krwPerUSDT: row[4].double,
                                    krwPerUSD: row[5].double, fxAge: row[6].double)
            }
        }
    }

    /// `POST /admin/fx?<query>` on the simulator; the HTTP status.
    static func setFX(_ query: String, port: Int) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/admin/fx?\(query)")))
        request.httpMethod = "POST"
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    static func isClose(_ a: Double?, _ b: Double?, tolerance: Double = 1e-12) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    @Test func fxAndTetherPremiumsEqualAnIndependentComputation() async throws {
        let database = "it_fx_\(UUID().uuidString.prefix(8).lowercased())"
        let harness = try await ProcessorHarness.make(databases: [database])
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 2, tickersPerSecond: 4, seed: 11),
                                          logger: Logger(label: "test.simulator"))
        let port = try await simulator.start()
        let firstQuote = Int64(Date().timeIntervalSince1970) - 7_200
        simulator.setFXRate(krwPerUSD: 1_380, quotedSeconds: firstQuote)
        let processor = try harness.startProcessor(group: "it-fx-\(harness.suffix)", database: database)
        defer { processor.killNow() }
        let collector = try harness.startCollector(simulatorPort: port, extra: [
            "--set", "collector.fx_url=http://127.0.0.1:\(port)/fx/latest/USD", "--set", "collector.fx_interval=1s",
            "--set", "collector.market_status_interval=0s",
            "--set", "collector.bybit.enabled=false", "--set", "collector.bithumb.enabled=false", "--set", "collector.coinone.enabled=false",
        ])
        defer { collector.killNow() }

        // Throws when no fx-basis or tether premium arrives.
        try await harness.waitForCount("premium", field: "krw_per_usd", database: database, atLeast: 10, timeout: .seconds(90))
        // A new rate, quoted at another time, through the admin endpoint; a bad one is refused.
        #expect(try await Self.setFX("rate=0", port: port) == 400)
        let secondQuote = firstQuote + 3_600
        #expect(try await Self.setFX("rate=1350.5&quoted=\(secondQuote)", port: port) == 200)
        let changed = try await MarketStatusIntegrationTests.within(.seconds(30)) {
            try await Self.premiumPoints(harness, database: database).contains { $0.krwPerUSD == 1_350.5 }
        }
        #expect(changed, "the new FX rate was not used")
        let before = try await harness.count("premium", field: "krw_per_usd", database: database)
        try await harness.waitForCount("premium", field: "krw_per_usd", database: database, atLeast: before + 10, timeout: .seconds(30))
        let reads = await collector.sample(#"coinflux_fx_reads_total{outcome="ok"}"#)
        #expect((reads ?? 0) >= 3, "\(reads ?? 0) FX reads")
        #expect(await collector.sample(#"coinflux_fx_reads_total{outcome="failed"}"#) == 0)
        #expect(await collector.sample("coinflux_fx_krw_per_usd") == 1_350.5)
        #expect(collector.terminate() == 0)
        _ = try await harness.waitForQuiet("premium", field: "premium", database: database)

        let points = try await Self.premiumPoints(harness, database: database)
        let byBasis = Dictionary(grouping: points, by: \.basis)
        let usdt = byBasis["usdt"] ?? [], fx = byBasis["fx"] ?? [], tether = byBasis["tether"] ?? []
        #expect(Set(byBasis.keys) == ["usdt", "fx", "tether"], "bases: \(byBasis.keys.sorted())")
        #expect(fx.count >= 5 && tether.count >= 5 && usdt.count >= 5, "usdt \(usdt.count), fx \(fx.count), tether \(tether.count)")
        let quoteTime = [1_380.0: firstQuote, 1_350.5: secondQuote]
        var checked = (fx: 0, tether: 0, identity: 0)
        for point in fx {
            let rate = try #require(point.krwPerUSD)
            let quoted = try #require(quoteTime[rate], "rate \(rate) was never served")
            #expect(point.exchange == "upbit" && point.base != "USDT")
            #expect(Self.isClose(point.premium, point.price / (try #require(point.referencePrice) * rate) - 1), "\(point)")
            #expect(Self.isClose(point.fxAge, Double(point.time - quoted * 1_000_000_000) / 1e9, tolerance: 1e-9), "\(point)")
            #expect(point.krwPerUSDT == nil)
            checked.fx += 1
            // The usdt point of the same tick: 1 + fx = (1 + usdt) · KRW_per_USDT / KRW_per_USD.
            if let twin = usdt.first(where: { $0.time == point.time && $0.exchange == point.exchange && $0.base == point.base }) {
                #expect(twin.price == point.price && twin.referencePrice == point.referencePrice)
                #expect(Self.isClose(1 + point.premium, (1 + twin.premium) * (try #require(twin.krwPerUSDT)) / rate, tolerance: 1e-9), "\(point) \(twin)")
                checked.identity += 1
            }
        }
        // Every usdt-basis premium after the first FX rate arrived has its fx twin.
        let firstFX = try #require(fx.map(\.time).min())
        let unmatched = usdt.filter { point in
            point.time > firstFX && !fx.contains { $0.time == point.time && $0.exchange == point.exchange && $0.base == point.base }
        }
        #expect(unmatched.isEmpty, "\(unmatched.count) usdt premiums without an fx twin, first \(String(describing: unmatched.first))")
        // The tether premium: the USDT-KRW ticker's price over KRW per USD, for the ticker written at that time.
        let tickers = try await harness.influx.query(
            "SELECT price FROM ticker WHERE exchange = 'upbit' AND symbol = 'USDT-KRW'", database: database)
        let tickerPrices = Dictionary((tickers.first?.values ?? []).compactMap { row in row[0].integer.flatMap { time in row[1].double.map { (time, $0) } } },
                                      uniquingKeysWith: { first, _ in first })
        for point in tether {
            let rate = try #require(point.krwPerUSD)
            #expect(point.base == "USDT" && point.referencePrice == nil)
            #expect(tickerPrices[point.time] == point.price, "no USDT-KRW ticker at \(point.time) priced \(point.price)")
            #expect(Self.isClose(point.premium, point.price / rate - 1), "\(point)")
            #expect(quoteTime[rate] != nil, "rate \(rate) was never served")
            checked.tether += 1
        }
        #expect(checked.identity >= 5, "only \(checked.identity) fx points had a usdt twin")
        print("FX basis: \(checked.fx) fx, \(checked.tether) tether points checked; \(checked.identity) identities; \(usdt.count) usdt points")
        // The processor's gauge for TetherPremiumBeyondThreshold: USDT-KRW (about 1 400 in the
        // simulator) over the last rate, 1 350.5.
        let tetherGauge = await processor.sample(#"coinflux_market_tether_premium_ratio{exchange="upbit"}"#)
        #expect(tetherGauge.map { (0.005...0.08).contains($0) } == true, "tether premium gauge \(String(describing: tetherGauge))")
        #expect(processor.terminate() == 0)
        await simulator.stop()
    }
}
