import CoinfluxCore
import Telemetry
import Testing

@testable import Collector

@Suite("Connection tally")
struct ConnectionTallyTests {
    let metrics = Metrics()

    var connected: Double? { metricValue(metrics, "coinflux_feed_connected", ["exchange": "binance"]) }
    var lastMessage: Double? { metricValue(metrics, "coinflux_feed_last_message_timestamp_seconds", ["exchange": "binance"]) }

    @Test func connectedOnlyWhileEveryConnectionIsUp() {
        let tally = ConnectionTally(exchange: .binance, connections: 3, metrics: metrics)
        let slots = tally.slots
        #expect(slots.map(\.description) == ["1/3", "2/3", "3/3"])
        #expect(connected == 0)
        #expect(tally.notReadyReason == "websocket connections 1/3, 2/3, 3/3 not connected")

        slots[0].markConnected()
        slots[2].markConnected()
        #expect(connected == 0, "one connection still down")
        #expect(tally.notReadyReason == "websocket connection 2/3 not connected")

        slots[1].markConnected()
        #expect(connected == 1)
        #expect(tally.notReadyReason == nil)

        slots[1].markDown()
        #expect(connected == 0)
        #expect(slots.map(\.isConnected) == [true, false, true])
        #expect(tally.notReadyReason == "websocket connection 2/3 not connected")
        slots[1].markConnected()
        #expect(connected == 1)
    }

    @Test func oneConnectionReadsAsBefore() {
        let tally = ConnectionTally(exchange: .binance, connections: 1, metrics: metrics)
        #expect(tally.notReadyReason == "websocket not connected")
        tally.slots[0].markConnected()
        #expect(connected == 1)
        #expect(tally.notReadyReason == nil)
    }

    /// The exchange is as fresh as its stalest connection: one silent connection makes it stale.
    @Test func lastMessageIsTheStalestConnections() {
        let slots = ConnectionTally(exchange: .binance, connections: 2, metrics: metrics, startedAt: 900).slots
        slots[0].recordMessage(at: 1_000)
        #expect(lastMessage == 900, "the second connection has received nothing since the start")
        slots[1].recordMessage(at: 1_005)
        #expect(lastMessage == 1_000)
        slots[0].recordMessage(at: 1_010)
        #expect(lastMessage == 1_005)
        slots[0].recordMessage(at: 1_020)
        #expect(lastMessage == 1_005, "the second connection went quiet")
    }

    /// Before the first frame the gauge reads the start time, so "time since last message" is the
    /// time since start (and ExchangeFeedStale can fire for a feed that never delivers), never the
    /// ~56 years since the epoch that a 0 gave.
    @Test func lastMessageBeforeAnyFrameIsTheStartTime() throws {
        let before = Double(wallClockNanoseconds()) / 1e9
        let tally = ConnectionTally(exchange: .binance, connections: 3, metrics: metrics)
        let after = Double(wallClockNanoseconds()) / 1e9
        let reported = try #require(withExtendedLifetime(tally) { lastMessage })
        #expect(reported >= before && reported <= after, "\(reported) is not the tally's start (\(before)...\(after))")
    }

    /// Counters are per exchange: every connection's feed increments the same series.
    @Test func feedsOfOneExchangeShareTheirCounters() {
        let first = FeedMetrics(metrics: metrics, exchange: .binance)
        let second = FeedMetrics(metrics: metrics, exchange: .binance)
        first.parseErrors.increment()
        second.parseErrors.increment()
        #expect(metricValue(metrics, "coinflux_feed_parse_errors_total", ["exchange": "binance"]) == 2)
    }
}
