extension Duration {
    /// The duration in whole nanoseconds (sub-nanosecond parts truncated), or nil when it does
    /// not fit in an `Int64` (about ±292 years).
    var wholeNanoseconds: Int64? {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return sumOverflow ? nil : total
    }
}
