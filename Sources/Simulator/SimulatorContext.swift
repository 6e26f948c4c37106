import CoinfluxCore
import Foundation

/// Everything the simulator's connections and HTTP routes share.
final class SimulatorContext: Sendable {
    let configuration: SimulatorConfiguration
    let counters = CounterBoard()
    let faults = FaultBoard()
    let restRequests = RESTRequestLog()
    let flags = MarketFlagBoard()
    let fx = FXBoard()
    /// Every exchange's markets.
    let markets: MarketBook
    /// When the markets started trading, epoch µs.
    let startMicros: Int64

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        startMicros = Self.epochMicroseconds()
        markets = MarketBook(
            configuration: configuration, seed: configuration.seed ?? UInt64.random(in: .min ... .max), startMicros: startMicros
        )
    }

    /// Wall-clock time in epoch microseconds: the simulator's clock, which the markets trade on.
    static func epochMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// Wall-clock time in epoch milliseconds, the unit of every exchange timestamp.
    static func epochMilliseconds() -> Int64 {
        epochMicroseconds() / 1_000
    }
}
