import Prometheus

/// One counter of the catalogue with its labels, made once by ``Metrics`` and kept by its user:
/// incrementing is one atomic add, no lookup.
public struct Counter: Sendable {
    let base: Prometheus.Counter

    public func increment(by amount: Int64 = 1) {
        base.increment(by: amount)
    }

    /// Adds a fraction (seconds, say).
    public func increment(by amount: Double) {
        base.increment(by: amount)
    }
}

/// One gauge of the catalogue with its labels.
public struct Gauge: Sendable {
    let base: Prometheus.Gauge

    public func set(_ value: Double) {
        base.set(value)
    }
}

/// One histogram of the catalogue with its labels; values in the metric's base unit.
public struct Histogram: Sendable {
    let base: ValueHistogram

    public func record(_ value: Double) {
        base.record(value)
    }
}
