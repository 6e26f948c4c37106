import CoinfluxCore
import Foundation

/// Throughput of the Kafka event codec (`EventCodec`) on one core, beside Foundation's
/// `JSONDecoder` decoding the same bytes into an equivalent `Codable` struct.
enum CodecBenchmark {
    /// Distinct messages cycled through by each measurement.
    private static let sampleCount = 1_000

    static func run() {
        print("== event codec (one core) ==")
        let trades = (0..<sampleCount).map(trade)
        let tickers = (0..<sampleCount).map(ticker)
        let tradeBytes = trades.compactMap { try? EventCodec.encode($0) }
        let tickerBytes = tickers.compactMap { try? EventCodec.encode($0) }
        guard tradeBytes.count == sampleCount, tickerBytes.count == sampleCount else {
            print("could not encode the sample events")
            return
        }
        print("  message size: trade \(averageSize(tradeBytes)) B, ticker \(averageSize(tickerBytes)) B on average")

        let decodeTrades = decodeRow("EventCodec.decode, trade", tradeBytes, operations: 1_000_000)
        decodeRow("EventCodec.decode, ticker", tickerBytes, operations: 500_000)
        encodeRow("EventCodec.encode, trade", trades, operations: 1_000_000)
        encodeRow("EventCodec.encode, ticker", tickers, operations: 500_000)

        let datas = tradeBytes.map { Data($0) }
        let decoder = JSONDecoder()
        let operations = 100_000
        let baseline = Bench.measure("JSONDecoder (Codable struct), trade", operations: operations, unit: "events", runs: 3) {
            var decoded = 0
            for index in 0..<operations {
                if let event = try? decoder.decode(CodableEvent.self, from: datas[index % datas.count]) {
                    decoded += event.v
                }
            }
            Bench.blackHole(decoded)
        }
        Bench.ratio("EventCodec.decode vs JSONDecoder (trade)", decodeTrades, baseline)
    }

    @discardableResult
    private static func decodeRow(_ name: String, _ messages: [[UInt8]], operations: Int) -> Bench.Row {
        Bench.measure(name, operations: operations, unit: "events") {
            var checksum = 0.0
            for index in 0..<operations {
                if let event = try? EventCodec.decode(messages[index % messages.count]) {
                    checksum += event.price
                }
            }
            Bench.blackHole(checksum)
        }
    }

    private static func encodeRow(_ name: String, _ events: [MarketEvent], operations: Int) {
        _ = Bench.measure(name, operations: operations, unit: "events") {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(512)
            var total = 0
            for index in 0..<operations {
                buffer.removeAll(keepingCapacity: true)
                try? EventCodec.encode(events[index % events.count], into: &buffer)
                total += buffer.count
            }
            Bench.blackHole(total)
        }
    }

    private static func averageSize(_ messages: [[UInt8]]) -> Int {
        messages.reduce(0) { $0 + $1.count } / max(messages.count, 1)
    }

    /// A Binance-like trade: price with two decimals, size with five, ids and times as exchanges send them.
    private static func trade(_ index: Int) -> MarketEvent {
        let eventTime = Int64(1_700_000_000_000 + index * 7) * 1_000_000
        return MarketEvent(
            kind: .trade, exchange: Exchange.allCases[index % Exchange.allCases.count],
            symbol: Symbol(base: ["BTC", "ETH", "XRP", "SOL"][index % 4], quote: index % 3 == 0 ? "KRW" : "USDT"),
            price: Double(1_657_850 + index * 13) / 100, size: Double(100 + index * 37 % 90_000) / 100_000,
            eventTimeNanos: eventTime, receiveTimeNanos: eventTime + 1_234_567 + Int64(index),
            tradeID: String(3_141_592_653 + index), sequence: index % 5 == 1 ? 17_303_368_620_470_000 + Int64(index) : nil,
            side: index % 2 == 0 ? .buy : .sell
        )
    }

    /// An Upbit-like ticker with best bid/ask and 24 h statistics.
    private static func ticker(_ index: Int) -> MarketEvent {
        let last = Double(31_883_000 + index * 1_000)
        let eventTime = Int64(1_700_000_000_000 + index * 11) * 1_000_000
        return MarketEvent(
            kind: .ticker, exchange: .upbit, symbol: Symbol(base: "BTC", quote: "KRW"), price: last,
            bestBid: last - 1_000, bestBidSize: 0.0312, bestAsk: last, bestAskSize: 1.25,
            open24h: 31_500_000, high24h: 32_100_000, low24h: 31_400_000,
            volume24h: 2_345.678_912_34, quoteVolume24h: 74_873_471_923.123_45,
            eventTimeNanos: eventTime, receiveTimeNanos: eventTime + 2_345_678
        )
    }
}

/// The baseline: the same message as a `Codable` struct, decoded by Foundation's `JSONDecoder`.
private struct CodableEvent: Decodable {
    var v: Int
    var type: String
    var exchange: String
    var symbol: String
    var price: Double
    var size: Double?
    var bid: Double?
    var bidSize: Double?
    var ask: Double?
    var askSize: Double?
    var open24h: Double?
    var high24h: Double?
    var low24h: Double?
    var volume24h: Double?
    var quoteVolume24h: Double?
    var eventTimeNs: Int64
    var receiveTimeNs: Int64
    var tradeID: String?
    var seq: Int64?
    var side: String?

    enum CodingKeys: String, CodingKey {
        case v, type, exchange, symbol, price, size, bid, ask, seq, side
        case bidSize = "bid_size", askSize = "ask_size"
        case open24h = "open_24h", high24h = "high_24h", low24h = "low_24h"
        case volume24h = "volume_24h", quoteVolume24h = "quote_volume_24h"
        case eventTimeNs = "event_time_ns", receiveTimeNs = "receive_time_ns", tradeID = "trade_id"
    }
}
