import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation
import Logging
import ServiceLifecycle
import Telemetry

/// Reads a USD/KRW rate from an HTTP JSON source (`collector.fx_url`) at start and every
/// `interval`, and publishes it (``FXRate``) for the processors' `fx`-basis and tether premiums.
///
/// A read that fails (HTTP error, timeout, no usable rate at the configured path) publishes
/// nothing: it is counted (`coinflux_fx_reads_total{outcome="failed"}`) and logged when reads start
/// failing and when they work again. The processors stop writing `fx` and `tether` premiums once
/// the last good read is older than their limit, rather than price with an old rate.
public final class FXRatePoller: Service {
    private let url: String
    private let format: FXQuoteFormat
    private let interval: Duration
    private let httpClient: HTTPClient
    private let sink: any FXRateSink
    private let succeeded: Counter
    private let failed: Counter
    private let rateGauge: Gauge
    private let ageGauge: Gauge
    private let logger: Logger

    /// Largest body accepted: a rate table of every currency is a few KiB.
    static let maximumBodyBytes = 1 << 20

    /// - Parameters:
    ///   - url: the source, `http` or `https`.
    ///   - interval: time between two reads (positive).
    public init(url: URL, format: FXQuoteFormat, interval: Duration, httpClient: HTTPClient = .shared, sink: any FXRateSink,
                metrics: Metrics, logger: Logger) {
        self.url = url.absoluteString
        self.format = format
        self.interval = interval
        self.httpClient = httpClient
        self.sink = sink
        succeeded = metrics.counter(MetricCatalogue.fxReads, "ok")
        failed = metrics.counter(MetricCatalogue.fxReads, "failed")
        rateGauge = metrics.gauge(MetricCatalogue.fxRate)
        ageGauge = metrics.gauge(MetricCatalogue.fxQuoteAge)
        var logger = logger
        logger[metadataKey: "fx_url"] = "\(url.absoluteString)"
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown { await self.poll() }
    }

    private func poll() async {
        var failing = false
        var first = true
        while !Task.isCancelled {
            do {
                let rate = try await read()
                sink.publish(rate)
                succeeded.increment()
                rateGauge.set(rate.krwPerUSD)
                ageGauge.set(Double(rate.observedNanos - rate.quotedNanos) / 1e9)
                if first || failing {
                    logger.notice(failing ? "FX rate reads work again" : "FX rate read", metadata: ["krw_per_usd": "\(rate.krwPerUSD)"])
                }
                failing = false
                first = false
            } catch {
                if Task.isCancelled { return }
                failed.increment()
                if failing {
                    logger.debug("FX rate read still failing", metadata: ["error": "\(error)"])
                } else {
                    logger.warning("FX rate read failed; fx and tether premiums stop once the last rate is too old", metadata: ["error": "\(error)"])
                }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One read of the source.
    private func read() async throws -> FXRate {
        let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: Self.maximumBodyBytes)
        guard response.status == .ok else {
            throw FXQuoteFormat.Failure(description: "HTTP \(response.status.code)")
        }
        return try format.rate(in: Array(body.readableBytesView), readNanos: wallClockNanoseconds())
    }
}
