extension Symbol {
    /// The market whose price is the KRW-per-USDT rate of the cross-exchange premium: `USDT-KRW`
    /// on the Korean venues.
    public static let krwPerUSDT = Symbol(base: "USDT", quote: "KRW")
}

extension MarketEvent {
    /// The KRW-per-USDT rate this event carries: the price of a `USDT-KRW` ticker, when it is a
    /// usable price (finite, above zero); nil for every other event.
    public var krwPerUSDT: Double? {
        guard kind == .ticker, symbol == .krwPerUSDT, price.isFinite, price > 0 else { return nil }
        return price
    }
}
