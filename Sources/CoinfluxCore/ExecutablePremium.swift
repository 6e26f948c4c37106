/// The premium a trader could actually execute at a size between a KRW market and the same base
/// asset's USDT market on a reference venue, in both directions.
///
/// - Buy in Korea: spend `sizeKRW` on the KRW book's asks (getting quantity `q`), sell `q` on the
///   reference book's bids: `premium = krwAverage / (referenceAverage · krwPerDollar) − 1`.
/// - Sell in Korea: sell on the KRW book's bids until `sizeKRW` is received (giving up `q`), buy
///   `q` on the reference book's asks, same formula.
///
/// With a positive ("kimchi") premium, the sell-in-Korea direction is the arbitrage edge and the
/// buy-in-Korea one its cost. Averages are over what each book could fill; the fill fractions say
/// how much of the order that was (a thin book fills less than 1).
public struct ExecutablePremium: Sendable, Equatable {
    /// One direction's outcome.
    public struct Direction: Sendable, Equatable {
        /// The premium at the two average prices; nil when either book filled nothing.
        public var premium: Double?
        /// Fraction of the KRW leg filled (of `sizeKRW`).
        public var krwFill: Double
        /// Fraction of the reference leg filled (of the quantity the KRW leg filled).
        public var referenceFill: Double
    }

    /// The order size, in KRW.
    public var sizeKRW: Double
    /// The won per dollar both directions were converted at: KRW per USDT (basis `usdt`) or KRW
    /// per USD from the FX source (basis `fx`).
    public var krwPerDollar: Double
    /// Buy on the KRW asks, sell on the reference bids.
    public var buyInKorea: Direction
    /// Sell on the KRW bids, buy on the reference asks.
    public var sellInKorea: Direction

    /// Walks both books for both directions.
    /// - Parameters:
    ///   - krwBook: the KRW market's book (e.g. Upbit `KRW-BTC`).
    ///   - referenceBook: the reference venue's USDT book of the same base (e.g. Binance `BTCUSDT`).
    ///   - krwPerDollar: the conversion the premium's basis uses; must be finite and positive.
    ///   - sizeKRW: the order size; must be finite and positive.
    /// - Returns: nil for an invalid rate or size.
    public init?(krwBook: OrderBook, referenceBook: OrderBook, krwPerDollar: Double, sizeKRW: Double) {
        guard krwPerDollar.isFinite, krwPerDollar > 0, sizeKRW.isFinite, sizeKRW > 0 else { return nil }
        self.sizeKRW = sizeKRW
        self.krwPerDollar = krwPerDollar
        let bought = krwBook.buy(spending: sizeKRW)
        buyInKorea = Self.direction(krwLeg: bought, referenceLeg: referenceBook.sell(quantity: bought.quantity), krwPerDollar: krwPerDollar)
        let sold = krwBook.sell(receiving: sizeKRW)
        sellInKorea = Self.direction(krwLeg: sold, referenceLeg: referenceBook.buy(quantity: sold.quantity), krwPerDollar: krwPerDollar)
    }

    private static func direction(krwLeg: BookFill, referenceLeg: BookFill, krwPerDollar: Double) -> Direction {
        var premium: Double?
        if let krw = krwLeg.averagePrice, let reference = referenceLeg.averagePrice {
            premium = krw / (reference * krwPerDollar) - 1
        }
        return Direction(premium: premium, krwFill: krwLeg.filledFraction, referenceFill: referenceLeg.filledFraction)
    }
}
