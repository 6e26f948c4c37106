/// Where a feed delivers the events it parsed: the Kafka producer, or the in-process queue of
/// `coinflux run`. Must not block: the feed calls it from its receive loop. Implementations count
/// what they cannot take; they never drop silently.
public protocol MarketEventSink: Sendable {
    /// Takes the events parsed from one frame or one REST response.
    /// - Returns: The indices of the events it could not take (counted as dropped), in order;
    ///   almost always none.
    @discardableResult
    func publish(_ events: [MarketEvent]) -> [Int]
    /// Takes the record of a gap in a series, after the events that repaired it.
    func publish(_ gap: SeriesGap)
}
