import CoinfluxCore
import Testing

@Suite struct PremiumBookTests {
    static let second: Int64 = 1_000_000_000

    /// Reference BTC at 50 000 USDT, 1 300 KRW per USDT: fair KRW price 65 000 000.
    static func book(maxReferenceAge: Duration? = nil, maxExchangeRateAge: Duration? = nil) -> PremiumBook {
        var book = PremiumBook(maxReferenceAge: maxReferenceAge, maxExchangeRateAge: maxExchangeRateAge)
        book.updateReference(base: "BTC", priceUSDT: 50_000, eventTimeNanos: 0)
        book.updateExchangeRate(krwPerUSDT: 1_300, eventTimeNanos: 0)
        return book
    }

    /// Hand arithmetic: 67 600 000 / (50 000 · 1 300) − 1 = 1.04 − 1 = 0.04 (a 4 % premium) and
    /// 63 700 000 / 65 000 000 − 1 = −0.02 (a discount). python3 prints the doubles
    /// 0.040000000000000036 and −0.020000000000000018 for the same expressions.
    @Test func premiumAndDiscount() {
        let book = Self.book()
        #expect(book.premium(base: "BTC", krwPrice: 67_600_000, eventTimeNanos: 1) == .premium(0.040000000000000036))
        #expect(book.premium(base: "BTC", krwPrice: 63_700_000, eventTimeNanos: 1) == .premium(-0.020000000000000018))
        #expect(book.premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: 1).value == 0)
    }

    @Test func missingFactorsGiveNoPremium() {
        var book = PremiumBook()
        #expect(book.premium(base: "BTC", krwPrice: 1, eventTimeNanos: 0) == .unavailable(.noReference))
        book.updateReference(base: "BTC", priceUSDT: 50_000, eventTimeNanos: 0)
        #expect(book.premium(base: "BTC", krwPrice: 1, eventTimeNanos: 0) == .unavailable(.noExchangeRate))
        book.updateExchangeRate(krwPerUSDT: 1_300, eventTimeNanos: 0)
        #expect(book.premium(base: "ETH", krwPrice: 1, eventTimeNanos: 0) == .unavailable(.noReference))
        #expect(book.premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: 0).value == 0)
    }

    @Test(arguments: [0.0, -1, Double.nan, Double.infinity])
    func invalidValuesAreRefused(value: Double) {
        var book = Self.book()
        #expect(book.premium(base: "BTC", krwPrice: value, eventTimeNanos: 1) == .unavailable(.invalidPrice))
        #expect(book.updateReference(base: "BTC", priceUSDT: value, eventTimeNanos: 5) == .invalid)
        #expect(book.updateExchangeRate(krwPerUSDT: value, eventTimeNanos: 5) == .invalid)
        // The previous factors are kept.
        #expect(book.referencePrice(base: "BTC") == 50_000)
        #expect(book.krwPerUSDT == 1_300)
        #expect(book.updateReference(base: "SOL", priceUSDT: value, eventTimeNanos: 5) == .invalid)
        #expect(book.referencePrice(base: "SOL") == nil)
    }

    @Test func olderUpdatesAreIgnored() {
        var book = Self.book()
        #expect(book.updateReference(base: "BTC", priceUSDT: 51_000, eventTimeNanos: 10) == .applied)
        #expect(book.updateReference(base: "BTC", priceUSDT: 40_000, eventTimeNanos: 9) == .older)
        #expect(book.updateReference(base: "BTC", priceUSDT: 52_000, eventTimeNanos: 10) == .applied)
        #expect(book.referencePrice(base: "BTC") == 52_000)
        #expect(book.updateExchangeRate(krwPerUSDT: 1_310, eventTimeNanos: 10) == .applied)
        #expect(book.updateExchangeRate(krwPerUSDT: 1_000, eventTimeNanos: 3) == .older)
        #expect(book.krwPerUSDT == 1_310)
    }

    @Test func staleFactorsGiveNoPremium() {
        let book = Self.book(maxReferenceAge: .seconds(5), maxExchangeRateAge: .seconds(60))
        // Age exactly the maximum is still fresh; one nanosecond more is stale.
        #expect(book.premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: 5 * Self.second).value == 0)
        #expect(book.premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: 5 * Self.second + 1) == .unavailable(.staleReference))
        // A factor newer than the tick counts as fresh.
        #expect(book.premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: -100 * Self.second).value == 0)

        var rateOnly = Self.book(maxExchangeRateAge: .seconds(60))
        rateOnly.updateReference(base: "BTC", priceUSDT: 50_000, eventTimeNanos: 100 * Self.second)
        #expect(rateOnly.premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: 100 * Self.second) == .unavailable(.staleExchangeRate))
        // Without limits nothing is ever stale.
        #expect(Self.book().premium(base: "BTC", krwPrice: 65_000_000, eventTimeNanos: .max).value == 0)
    }
}

/// The `fx` basis and the tether premium.
@Suite struct FXPremiumTests {
    static let second: Int64 = 1_000_000_000

    /// 67 600 000 / (50 000 · 1 352) − 1 = 0 exactly on the fx basis; the tether premium of 1 300
    /// KRW per USDT over 1 352 KRW per USD is 1 300 / 1 352 − 1 = −0.0384…
    @Test func fxBasisAndTether() {
        var book = PremiumBook(maxFXRateAge: .seconds(60))
        book.updateReference(base: "BTC", priceUSDT: 50_000, eventTimeNanos: 0)
        #expect(book.fxPremium(base: "BTC", krwPrice: 67_600_000, eventTimeNanos: 0) == .unavailable(.noFXRate))
        #expect(book.tetherPremium(krwPerUSDT: 1_300, eventTimeNanos: 0) == .unavailable(.noFXRate))
        #expect(book.updateFXRate(FXRate(krwPerUSD: 1_352, quotedNanos: -86_400 * Self.second, observedNanos: 0)) == .applied)
        #expect(book.fxPremium(base: "BTC", krwPrice: 67_600_000, eventTimeNanos: 60 * Self.second) == .premium(0))
        #expect(book.tetherPremium(krwPerUSDT: 1_300, eventTimeNanos: 0) == .premium(1_300.0 / 1_352.0 - 1))
        // Stale by the read time (a day-old quote was fine), and only by it.
        #expect(book.fxPremium(base: "BTC", krwPrice: 67_600_000, eventTimeNanos: 61 * Self.second) == .unavailable(.staleFXRate))
        #expect(book.tetherPremium(krwPerUSDT: 1_300, eventTimeNanos: 61 * Self.second) == .unavailable(.staleFXRate))
        #expect(book.fxPremium(base: "ETH", krwPrice: 1, eventTimeNanos: 0) == .unavailable(.noReference))
        #expect(book.tetherPremium(krwPerUSDT: .nan, eventTimeNanos: 0) == .unavailable(.invalidPrice))
    }

    /// The rates the executable premium converts with: each only while fresh, by the same rule as the premiums.
    @Test func freshRatesForTheExecutablePremium() {
        var book = PremiumBook(maxExchangeRateAge: .seconds(600), maxFXRateAge: .seconds(60))
        #expect(book.krwPerUSDT(at: 0) == nil && book.krwPerUSD(at: 0) == nil)
        book.updateExchangeRate(krwPerUSDT: 1_400, eventTimeNanos: 0)
        book.updateFXRate(FXRate(krwPerUSD: 1_380, quotedNanos: -86_400 * Self.second, observedNanos: 0))
        #expect(book.krwPerUSDT(at: 600 * Self.second) == 1_400 && book.krwPerUSDT(at: 601 * Self.second) == nil)
        #expect(book.krwPerUSD(at: 60 * Self.second) == 1_380 && book.krwPerUSD(at: 61 * Self.second) == nil)
        #expect(book.krwPerUSDT(at: -5 * Self.second) == 1_400, "a rate newer than the tick is the best known")
    }

    @Test func fxUpdatesKeepTheNewestReadAndRefuseUnusableRates() {
        var book = PremiumBook()
        #expect(book.updateFXRate(FXRate(krwPerUSD: 1_352, quotedNanos: 0, observedNanos: 10)) == .applied)
        #expect(book.updateFXRate(FXRate(krwPerUSD: 1_000, quotedNanos: 0, observedNanos: 9)) == .older)
        #expect(book.updateFXRate(FXRate(krwPerUSD: 0, quotedNanos: 0, observedNanos: 11)) == .invalid)
        #expect(book.updateFXRate(FXRate(krwPerUSD: .infinity, quotedNanos: 0, observedNanos: 11)) == .invalid)
        #expect(book.fx?.krwPerUSD == 1_352)
    }
}
