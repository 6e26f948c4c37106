import CoinfluxCore

/// The ids of one series' trades seen within a window of event time, by minute, to tell a trade
/// that arrives a second time (recovered after a gap although it was received live, or produced
/// by two redundant collectors) from a new one. Ids are kept as 64-bit hashes.
public struct TradeIDWindow: Sendable {
    private var minutes: [Int64: Set<UInt64>] = [:]
    private static let minute: Int64 = 60_000_000_000

    public init() {}

    /// Records `id` of a trade at `timeNanos`; false when it was seen already.
    public mutating func insert(_ id: String, timeNanos: Int64) -> Bool {
        // The first minute of Int64 time (1677) has no representable start: it counts as `.min`.
        let (start, underflow) = timeNanos.subtractingReportingOverflow(((timeNanos % Self.minute) + Self.minute) % Self.minute)
        return minutes[underflow ? .min : start, default: []].insert(fnv1a(id)).inserted
    }

    /// Forgets the minutes that start before `timeNanos`.
    public mutating func forget(before timeNanos: Int64) {
        guard minutes.keys.contains(where: { $0 < timeNanos }) else { return }
        minutes = minutes.filter { $0.key >= timeNanos }
    }

    /// Ids remembered.
    public var count: Int { minutes.values.reduce(0) { $0 + $1.count } }
}
