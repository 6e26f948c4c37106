import Synchronization
import Testing

@testable import Telemetry

@Suite("Metric catalogue")
struct MetricCatalogueTests {
    @Test func namesFollowPrometheusConventions() {
        for definition in MetricCatalogue.all {
            #expect(definition.name.hasPrefix("coinflux_"), "\(definition.name) lacks the coinflux_ prefix")
            #expect(definition.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(definition.name) is not snake_case")
            switch definition.kind {
            case .counter:
                #expect(definition.name.hasSuffix("_total"), "counter \(definition.name) must end in _total")
            case .gauge, .histogram:
                #expect(!definition.name.hasSuffix("_total"), "\(definition.kind) \(definition.name) must not end in _total")
            }
            for unit in ["_milliseconds", "_ms", "_kilobytes", "_minutes"] {
                #expect(!definition.name.contains(unit), "\(definition.name) is not in base units")
            }
            #expect(!definition.help.isEmpty)
            #expect(Set(definition.labels).count == definition.labels.count)
        }
        let names = MetricCatalogue.all.map(\.name)
        #expect(Set(names).count == names.count, "a metric is listed twice")
    }

    /// A gauge kept up to date only when read shows its value as of each rendering.
    @Test func updatesRunBeforeEachRendering() {
        let metrics = Metrics()
        let gauge = metrics.gauge(MetricCatalogue.feedLastMessage, "upbit")
        let source = Mutex(1_000.0)
        metrics.updateBeforeRendering { gauge.set(source.withLock { $0 }) }
        func rendered() -> String {
            var buffer: [UInt8] = []
            metrics.render(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
        #expect(rendered().contains("coinflux_feed_last_message_timestamp_seconds{exchange=\"upbit\"} 1000.0"))
        source.withLock { $0 = 1_005 }
        #expect(rendered().contains("coinflux_feed_last_message_timestamp_seconds{exchange=\"upbit\"} 1005.0"))
    }

    @Test func renderedMetricsCarryHelpTypeAndLabels() {
        let metrics = Metrics()
        metrics.counter(MetricCatalogue.feedParseErrors, "upbit").increment(by: Int64(3))
        metrics.gauge(MetricCatalogue.feedConnected, "binance").set(Double(1))
        metrics.histogram(MetricCatalogue.feedEventLatency, "bybit").record(0.02)
        var buffer: [UInt8] = []
        metrics.render(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains("# HELP coinflux_feed_parse_errors_total \(MetricCatalogue.feedParseErrors.help)"))
        #expect(text.contains("# TYPE coinflux_feed_parse_errors_total counter"))
        #expect(text.contains("coinflux_feed_parse_errors_total{exchange=\"upbit\"} 3"))
        #expect(text.contains("coinflux_feed_connected{exchange=\"binance\"} 1"))
        #expect(text.contains("coinflux_feed_event_latency_seconds_bucket{exchange=\"bybit\",le=\"0.025\"} 1"))
        #expect(text.contains("coinflux_feed_event_latency_seconds_count{exchange=\"bybit\"} 1"))
    }
}
