import CoinfluxCore
import Foundation

/// Throughput of the pure hot-path pieces of `CoinfluxCore`, on one core: line-protocol encoding
/// (with a `String`-interpolation baseline for the same lines), float formatting and
/// price-statistics updates.
///
/// Each figure is printed twice: `Bench`'s best wall-clock run, and the rate per second of CPU
/// time this thread actually got over all runs. On a machine shared with other work the second
/// is the per-core figure; on an idle machine the two agree.
enum CoreBenchmark {
    static func run() {
        print("== CoinfluxCore: line protocol (lines/s on one core) and statistics (updates/s)")
        let ticks = Ticks(count: 4096)
        let tickerLines = encode(ticks, name: "line protocol: ticker (4 tags, 5 exchange floats)", tickerLine)
        let interpolated = interpolate(ticks, name: "baseline: ticker via String interpolation")
        Bench.ratio("encoder vs interpolation", tickerLines, interpolated)
        encode(ticks, name: "line protocol: trade (4 tags, 2 floats, side, id)", tradeLine)
        encode(ticks, name: "line protocol: stats (4 tags, price + 3 computed ratios)", statsLine)
        formatting(ticks.prices, name: "exchange prices (67123.45)")
        formatting(ticks.ratios, name: "computed ratios (full precision)")
        updates(ticks, halfLives: [], name: "statistics: change + EMA + deviation")
        updates(ticks, halfLives: [.seconds(60), .seconds(600)], name: "statistics: same + 2 time-decay EMAs")
    }

    /// Realistic inputs, cycled through by every loop: a BTC-USDT random walk in cents,
    /// exchange-style decimals for bid/ask/volumes, one tick every 100 ms.
    struct Ticks {
        var prices: [Double] = []
        var bids: [Double] = []
        var asks: [Double] = []
        var volumes: [Double] = []
        var quoteVolumes: [Double] = []
        var sizes: [Double] = []
        var times: [Int64] = []
        var tradeIDs: [String] = []
        /// Full-precision ratios and averages, as the statistics produce them.
        var ratios: [Double] = []
        var emas: [Double] = []

        init(count: Int) {
            var generator = SplitMix64(seed: 42)
            var cents: Int64 = 6_712_345
            for index in 0..<count {
                cents += Int64(generator.next() % 201) - 100
                let price = Double(cents) / 100
                prices.append(price)
                bids.append(Double(cents - 1) / 100)
                asks.append(Double(cents + 1) / 100)
                volumes.append(Double(12_000_000 + Int64(generator.next() % 1_000_000)) / 1000)
                quoteVolumes.append(Double(82_873_451_212 + Int64(generator.next() % 1_000_000)) / 100)
                sizes.append(Double(1 + generator.next() % 500_000) / 100_000_000)
                times.append(1_700_000_000_000_000_000 + Int64(index) * 100_000_000)
                tradeIDs.append(String(3_000_000_000 + index))
                ratios.append((Double(generator.next() % 2_000_001) - 1_000_000) / 7_777_777_777)
                emas.append(price * (1 + ratios[index] / 3))
            }
        }
    }

    static let lineCount = 1_000_000
    static let batchLines = 5000

    /// Names escaped once and kept in an instance, as the processor would hold them (a `static
    /// let` costs a lazy-initialisation check on every access), and the tag values it caches per
    /// (exchange, symbol).
    struct Schema {
        var ticker: LineProtocol.Measurement = "ticker"
        var trade: LineProtocol.Measurement = "trade"
        var stats: LineProtocol.Measurement = "price_stats"
        var exchange: LineProtocol.Key = "exchange"
        var symbol: LineProtocol.Key = "symbol"
        var base: LineProtocol.Key = "base"
        var quote: LineProtocol.Key = "quote"
        var price: LineProtocol.Key = "price"
        var bid: LineProtocol.Key = "bid"
        var ask: LineProtocol.Key = "ask"
        var volume: LineProtocol.Key = "volume_24h"
        var quoteVolume: LineProtocol.Key = "quote_volume_24h"
        var size: LineProtocol.Key = "size"
        var side: LineProtocol.Key = "side"
        var tradeID: LineProtocol.Key = "trade_id"
        var change: LineProtocol.Key = "change_rate"
        var ema: LineProtocol.Key = "ema"
        var deviation: LineProtocol.Key = "deviation"
        var exchangeTag: LineProtocol.TagValue
        var symbolTag: LineProtocol.TagValue
        var baseTag: LineProtocol.TagValue
        var quoteTag: LineProtocol.TagValue

        init?() {
            guard let exchange = try? LineProtocol.TagValue("binance"),
                  let symbol = try? LineProtocol.TagValue("BTC-USDT"),
                  let base = try? LineProtocol.TagValue("BTC"),
                  let quote = try? LineProtocol.TagValue("USDT")
            else { return nil }
            exchangeTag = exchange
            symbolTag = symbol
            baseTag = base
            quoteTag = quote
        }

        func addTags(to line: inout LineProtocol.Line) {
            line.tag(exchange, exchangeTag)
            line.tag(symbol, symbolTag)
            line.tag(base, baseTag)
            line.tag(quote, quoteTag)
        }
    }

    static func tickerLine(_ buffer: inout LineProtocol.Buffer, _ ticks: Ticks, _ schema: Schema, _ index: Int) -> LineProtocol.Outcome {
        buffer.append(schema.ticker, timestampNanos: ticks.times[index]) { line in
            schema.addTags(to: &line)
            line.field(schema.price, ticks.prices[index])
            line.field(schema.bid, ticks.bids[index])
            line.field(schema.ask, ticks.asks[index])
            line.field(schema.volume, ticks.volumes[index])
            line.field(schema.quoteVolume, ticks.quoteVolumes[index])
        }
    }

    static func tradeLine(_ buffer: inout LineProtocol.Buffer, _ ticks: Ticks, _ schema: Schema, _ index: Int) -> LineProtocol.Outcome {
        buffer.append(schema.trade, timestampNanos: ticks.times[index]) { line in
            schema.addTags(to: &line)
            line.field(schema.price, ticks.prices[index])
            line.field(schema.size, ticks.sizes[index])
            line.field(schema.side, index & 1 == 0 ? "buy" : "sell")
            line.field(schema.tradeID, ticks.tradeIDs[index])
        }
    }

    static func statsLine(_ buffer: inout LineProtocol.Buffer, _ ticks: Ticks, _ schema: Schema, _ index: Int) -> LineProtocol.Outcome {
        buffer.append(schema.stats, timestampNanos: ticks.times[index]) { line in
            schema.addTags(to: &line)
            line.field(schema.price, ticks.prices[index])
            line.field(schema.change, ticks.ratios[index])
            line.field(schema.ema, ticks.emas[index])
            line.field(schema.deviation, ticks.ratios[(index + 7) % ticks.ratios.count])
        }
    }

    /// Encodes `lineCount` lines into a reused buffer, emptied every `batchLines` lines like a
    /// writer's batch.
    @discardableResult
    static func encode(
        _ ticks: Ticks,
        name: String,
        _ line: (inout LineProtocol.Buffer, Ticks, Schema, Int) -> LineProtocol.Outcome
    ) -> Bench.Row {
        guard let schema = Schema() else {
            print("\(name): could not build tags")
            return Bench.Row(name: name, operations: 0, seconds: 1, unit: "lines")
        }
        var buffer = LineProtocol.Buffer(capacity: 1 << 20)
        var notWritten = 0
        let row = measure(name, operations: lineCount, unit: "lines") {
            for index in 0..<lineCount {
                if buffer.lineCount == batchLines { buffer.removeAll() }
                if !line(&buffer, ticks, schema, index & 4095).isWritten { notWritten += 1 }
            }
        }
        Bench.blackHole(buffer.bytes)
        if notWritten > 0 { print("  (\(notWritten) lines not written)") }
        return row
    }

    /// The same ticker line built with `String` interpolation, for comparison.
    static func interpolate(_ ticks: Ticks, name: String) -> Bench.Row {
        var batch = ""
        var inBatch = 0
        let row = measure(name, operations: lineCount, unit: "lines") {
            for counter in 0..<lineCount {
                let index = counter & 4095
                if inBatch == batchLines {
                    batch.removeAll(keepingCapacity: true)
                    inBatch = 0
                }
                batch += "ticker,exchange=binance,symbol=BTC-USDT,base=BTC,quote=USDT price=\(ticks.prices[index]),bid=\(ticks.bids[index]),ask=\(ticks.asks[index]),volume_24h=\(ticks.volumes[index]),quote_volume_24h=\(ticks.quoteVolumes[index]) \(ticks.times[index])\n"
                inBatch += 1
            }
        }
        Bench.blackHole(batch)
        return row
    }

    /// `Bench.measure`, plus the rate per CPU-second of this thread over all its runs.
    @discardableResult
    static func measure(_ name: String, operations: Int, unit: String, _ body: () -> Void) -> Bench.Row {
        let runs = 5
        let start = CPUTime.thread()
        let row = Bench.measure(name, operations: operations, unit: unit, runs: runs, body)
        let cpu = CPUTime.thread() - start
        let wall = row.seconds
        print(String(
            format: "  %-58@ %14.0f %@/s  (CPU time per run: %.0f %% of the best wall run)",
            "per CPU-second" as NSString, Double(operations * runs) / cpu, unit as NSString, 100 * cpu / Double(runs) / wall
        ))
        return row
    }

    /// Shortest round-trip float text: `appendShortest` against `Double.description`.
    static func formatting(_ values: [Double], name: String) {
        let count = 2_000_000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 16)
        let fast = measure("floats: appendShortest, \(name)", operations: count, unit: "values") {
            for index in 0..<count {
                if bytes.count > 60_000 { bytes.removeAll(keepingCapacity: true) }
                appendShortest(values[index & 4095], to: &bytes)
            }
        }
        let baseline = measure("floats: Double.description, \(name)", operations: count, unit: "values") {
            for index in 0..<count {
                if bytes.count > 60_000 { bytes.removeAll(keepingCapacity: true) }
                bytes.append(contentsOf: values[index & 4095].description.utf8)
            }
        }
        Bench.ratio("appendShortest vs description", fast, baseline)
        Bench.blackHole(bytes)
    }

    /// Price-statistics updates for one (exchange, symbol).
    static func updates(_ ticks: Ticks, halfLives: [Duration], name: String) {
        guard let configuration = try? PriceStatistics.Configuration(alpha: 0.1, halfLives: halfLives) else {
            print("\(name): invalid configuration")
            return
        }
        let count = 5_000_000
        var checksum = 0.0
        measure(name, operations: count, unit: "updates") {
            var statistics = PriceStatistics(configuration: configuration)
            for counter in 0..<count {
                let index = counter & 4095
                // Times keep increasing across laps so no tick is out of order.
                let time = ticks.times[index] &+ Int64(counter >> 12) &* 409_600_000_000
                if case .applied(let snapshot) = statistics.update(price: ticks.prices[index], eventTimeNanos: time) {
                    checksum += snapshot.deviation
                }
            }
            Bench.blackHole(statistics)
        }
        Bench.blackHole(checksum)
    }
}
