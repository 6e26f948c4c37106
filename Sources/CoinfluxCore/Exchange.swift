/// A venue coinflux collects market data from.
///
/// The raw value is the name used everywhere outside the code: in configuration,
/// in the `exchange` field of the event codec, in InfluxDB tags and metric labels.
public enum Exchange: String, Sendable, Hashable, CaseIterable {
    case binance
    case upbit
    case bybit
    case bithumb
    case coinone
}
