import TestSupport
import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import Synchronization
import Telemetry
import Testing

/// Collects the rates a poller publishes.
final class RecordingFXSink: FXRateSink {
    private let recorded = Mutex<[FXRate]>([])

    func publish(_ rate: FXRate) -> Bool {
        recorded.withLock { $0.append(rate) }
        return true
    }

    var rates: [FXRate] { recorded.withLock { $0 } }
}

/// The FX poller against the simulator's FX source (open.er-api-shaped) and against sources that
/// fail: a good read publishes the rate with the source's quote time; a dead server, an error page
/// and a body without the rate publish nothing and are counted, and reads go on.
@Suite("FX rate poller against the simulator", .timeLimit(.minutes(2)))
struct FXRatePollerTests {
    static let interval = Duration.milliseconds(200)

    func poller(_ url: String, ratePath: String = "rates.KRW", sink: RecordingFXSink, metrics: Metrics) throws -> FXRatePoller {
        FXRatePoller(url: try #require(URL(string: url)), format: try FXQuoteFormat(ratePath: ratePath, timePath: "time_last_update_unix"),
                     interval: Self.interval, sink: sink, metrics: metrics, logger: Logger(label: "test.fx"))
    }

    func reads(_ metrics: Metrics, _ outcome: String) -> Double {
        metricValue(metrics, "coinflux_fx_reads_total", ["outcome": outcome]) ?? 0
    }

    @Test("a served rate is published with the source's quote time; a new rate follows within a read")
    func servedRate() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), rate: 1)
        defer { Task { await simulator.stop() } }
        simulator.setFXRate(krwPerUSD: 1_391.25, quotedSeconds: 1_765_152_151)
        let sink = RecordingFXSink(), metrics = Metrics()
        let running = RunningFeeds([try poller("http://127.0.0.1:\(port)/fx/latest/USD", sink: sink, metrics: metrics)])
        #expect(await eventually { sink.rates.count >= 2 })
        simulator.setFXRate(krwPerUSD: 1_402.5, quotedSeconds: 1_765_155_751)
        #expect(await eventually { sink.rates.last?.krwPerUSD == 1_402.5 })
        await running.stop()
        let first = try #require(sink.rates.first)
        #expect(first.krwPerUSD == 1_391.25 && first.quotedNanos == 1_765_152_151_000_000_000)
        #expect(sink.rates.allSatisfy { $0.observedNanos > $0.quotedNanos })
        #expect(sink.rates.last?.quotedNanos == 1_765_155_751_000_000_000)
        #expect(reads(metrics, "ok") >= 3 && reads(metrics, "failed") == 0)
        #expect(metricValue(metrics, "coinflux_fx_krw_per_usd") == 1_402.5)
        #expect((metricValue(metrics, "coinflux_fx_quote_age_seconds") ?? 0) > 0)
    }

    @Test("a dead server, a 404 and a body without the rate publish nothing, are counted, and reading goes on")
    func failingSources() async throws {
        let (simulator, port) = try await startSimulator(cutOff: .seconds(60), rate: 1)
        defer { Task { await simulator.stop() } }
        let dead = try freeLoopbackPort()
        // async-http-client retries a refused connection until the request's 10 s deadline: one
        // failure per read there, several for the 404 in the same time.
        for (url, failures) in [("http://127.0.0.1:\(dead)/fx/latest/USD", 1.0), ("http://127.0.0.1:\(port)/fx/latest/EUR", 3.0)] {
            let sink = RecordingFXSink(), metrics = Metrics()
            let running = RunningFeeds([try poller(url, sink: sink, metrics: metrics)])
            #expect(await eventually(timeout: .seconds(25)) { reads(metrics, "failed") >= failures }, "\(url)")
            await running.stop()
            #expect(sink.rates.isEmpty && reads(metrics, "ok") == 0, "\(url)")
            #expect(metricValue(metrics, "coinflux_fx_krw_per_usd") == 0, "no rate before a good read")
        }
        // The source answers, but not at the configured path.
        let sink = RecordingFXSink(), metrics = Metrics()
        let running = RunningFeeds([try poller("http://127.0.0.1:\(port)/fx/latest/USD", ratePath: "rates.JPY", sink: sink, metrics: metrics)])
        #expect(await eventually { reads(metrics, "failed") >= 3 })
        await running.stop()
        #expect(sink.rates.isEmpty && reads(metrics, "ok") == 0)
    }
}
