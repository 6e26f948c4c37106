extension Duration {
    /// The duration in whole nanoseconds (sub-nanosecond parts truncated), or nil when it does
    /// not fit in an `Int64` (about ±292 years).
    public var wholeNanoseconds: Int64? {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return sumOverflow ? nil : total
    }

    /// The duration in whole nanoseconds, saturating at `Int64.min`/`.max` (for timeouts and ages).
    public var saturatingNanoseconds: Int64 {
        wholeNanoseconds ?? (self < .zero ? .min : .max)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
