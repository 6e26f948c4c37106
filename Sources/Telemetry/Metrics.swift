import Prometheus
import Synchronization

/// The process's metrics: a Prometheus registry whose families come only from `MetricCatalogue`,
/// so every exported name, label set and help text is the documented one. Its users see only
/// ``Counter``, ``Gauge`` and ``Histogram``; the exposition format is this module's business.
///
/// Metric objects are created once (names and labels rendered then) and kept by their users;
/// the hot path only bumps them.
public final class Metrics: Sendable {
    /// The underlying registry, rendered by ``render(into:)``.
    private let registry = PrometheusCollectorRegistry()

    /// Buckets for latency histograms, in seconds.
    public static let latencyBuckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// Run before each rendering; see ``updateBeforeRendering(_:)``.
    private let updates = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    /// Runs `update` before every rendering of the metrics, for a gauge whose value is cheaper to
    /// work out when it is read than to keep current on a hot path (e.g. the oldest of several
    /// connections' last-message times, each stored in an atomic per frame). Keep it short: it
    /// runs on the `/metrics` request.
    public func updateBeforeRendering(_ update: @escaping @Sendable () -> Void) {
        updates.withLock { $0.append(update) }
    }

    /// The counter of `definition` with these label values, in the definition's label order.
    public func counter(_ definition: MetricCatalogue.Definition, _ values: String...) -> Counter {
        counter(definition, labels: values)
    }

    /// The counter of `definition` with these label values, in the definition's label order.
    public func counter(_ definition: MetricCatalogue.Definition, labels values: [String]) -> Counter {
        Counter(base: registry.makeCounter(descriptor: descriptor(definition), labels: labels(definition, values)))
    }

    /// The gauge of `definition` with these label values, in the definition's label order.
    public func gauge(_ definition: MetricCatalogue.Definition, _ values: String...) -> Gauge {
        gauge(definition, labels: values)
    }

    /// The gauge of `definition` with these label values, in the definition's label order.
    public func gauge(_ definition: MetricCatalogue.Definition, labels values: [String]) -> Gauge {
        Gauge(base: registry.makeGauge(descriptor: descriptor(definition), labels: labels(definition, values)))
    }

    /// The histogram of `definition` with these label values; values are recorded in the metric's base unit.
    /// Removes `gauge` from the exposition (a series this process no longer knows anything
    /// about); a later `gauge(_:labels:)` with the same labels starts it again.
    public func remove(_ gauge: Gauge) {
        registry.unregisterGauge(gauge.base)
    }

    public func histogram(_ definition: MetricCatalogue.Definition, _ values: String..., buckets: [Double] = Metrics.latencyBuckets) -> Histogram {
        Histogram(base: registry.makeValueHistogram(descriptor: descriptor(definition), labels: labels(definition, values), buckets: buckets))
    }

    /// The Prometheus text exposition of every metric, after the updates registered with
    /// ``updateBeforeRendering(_:)``.
    public func render(into buffer: inout [UInt8]) {
        for update in updates.withLock({ $0 }) {
            update()
        }
        registry.emit(into: &buffer)
    }

    private func descriptor(_ definition: MetricCatalogue.Definition) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: definition.name, unitName: "", helpText: definition.help)
    }

    /// Pairs label names with values. A count mismatch is a programming error inside coinflux
    /// (callers pass literal label lists); extra values are dropped and missing ones become "".
    private func labels(_ definition: MetricCatalogue.Definition, _ values: [String]) -> [(String, String)] {
        assert(values.count == definition.labels.count, "\(definition.name) takes labels \(definition.labels)")
        return definition.labels.enumerated().map { index, name in
            (name, index < values.count ? values[index] : "")
        }
    }
}
