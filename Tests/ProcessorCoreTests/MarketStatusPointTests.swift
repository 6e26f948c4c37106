import CoinfluxCore
import Testing

@testable import ProcessorCore

/// `market_status` points from the status records of `market.ticks`.
@Suite struct MarketStatusPointTests {
    static func status(_ exchange: Exchange, _ base: String, warning: Bool = false, cautions: [String] = [], at nanos: Int64) -> MarketRecord {
        .status(MarketStatus(exchange: exchange, symbol: Symbol(base: base, quote: "KRW"), flags: MarketFlags(warning: warning, cautions: cautions),
                             observedNanos: nanos))
    }

    static func lines(_ records: [MarketRecord], emit: Bool = true) throws -> (lines: [String], counts: DerivationCounts) {
        var deriver = PointDeriver(settings: PointDeriver.Settings(statistics: try PriceStatistics.Configuration()))
        var counts = DerivationCounts()
        var buffer = LineProtocol.Buffer()
        for record in records { deriver.apply(record, emit: emit, into: &buffer, counts: &counts) }
        return (String(decoding: buffer.bytes, as: UTF8.self).split(separator: "\n").map(String.init), counts)
    }

    /// Every record is a point at the time it was read: the flags as booleans, the alert types as one string.
    @Test func everyStatusIsAPoint() throws {
        let (lines, counts) = try Self.lines([
            Self.status(.upbit, "ETH", warning: true, at: 1_000_000_000),
            Self.status(.bithumb, "XRP", cautions: ["TRADING_VOLUME_SUDDEN_FLUCTUATION", "PRICE_SUDDEN_FLUCTUATION"], at: 2_000_000_000),
            Self.status(.upbit, "BTC", at: 3_000_000_000),
        ])
        #expect(lines == [
            #"market_status,base=ETH,exchange=upbit,quote=KRW,symbol=ETH-KRW warning=true,caution=false,flagged=true,cautions="" 1000000000"#,
            #"market_status,base=XRP,exchange=bithumb,quote=KRW,symbol=XRP-KRW warning=false,caution=true,flagged=true,cautions="PRICE_SUDDEN_FLUCTUATION,TRADING_VOLUME_SUDDEN_FLUCTUATION" 2000000000"#,
            #"market_status,base=BTC,exchange=upbit,quote=KRW,symbol=BTC-KRW warning=false,caution=false,flagged=false,cautions="" 3000000000"#,
        ])
        #expect(counts.marketStatuses == 3)
    }

    /// Warm-up (re-reading what was written) writes nothing.
    @Test func warmUpWritesNothing() throws {
        let (lines, counts) = try Self.lines([Self.status(.upbit, "ETH", warning: true, at: 1)], emit: false)
        #expect(lines.isEmpty && counts.marketStatuses == 0)
    }
}
