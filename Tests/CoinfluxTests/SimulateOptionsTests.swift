import CoinfluxCore
import Simulator
import Testing

@testable import coinflux

/// `coinflux simulate --book-rate`: one rate, or a rate per exchange (their real paces differ).
@Suite struct SimulateOptionsTests {
    @Test func bookRates() throws {
        let one = try #require(SimulateCommand.bookRates("25"))
        #expect(one.all == 25 && one.byExchange.isEmpty)
        let each = try #require(SimulateCommand.bookRates("binance=10,bybit=50"))
        #expect(each.all == 10 && each.byExchange == [.binance: 10, .bybit: 50])
        for bad in ["", "fast", "-1", "100001", "binance=", "kraken=10", "bybit=50,upbit", "binance=1e6"] {
            #expect(SimulateCommand.bookRates(bad) == nil, "\(bad)")
        }
    }
}
