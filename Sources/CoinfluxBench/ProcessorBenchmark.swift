import CoinfluxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InfluxWriter
import Kafka
import Logging
import Processor
import ProcessorCore
import ProcessorKafka
import Synchronization
import Telemetry

/// The processor's four figures of issue #4, in one run, on the same 500 000 ticker events of
/// 2 000 symbols in a 6-partition topic:
/// (a) `kcat -C` reading the topic to /dev/null — the broker's ceiling;
/// (b) the same points, derived once, POSTed as 5 000-line batches over two connections — the
///     database's ceiling;
/// (c) the processor (the `Processor` over a `KafkaEventSource`, as in `coinflux process`) with a writer that discards —
///     consume, decode, derive, encode;
/// (d) the release `coinflux process` binary end to end into InfluxDB, and its peak RSS over the
///     backlog and, in a fresh process, while it keeps up with a live stream;
/// (e) an idle `coinflux process` at the end of every partition: its CPU and the broker's, with
///     and without resting caught-up partitions.
enum ProcessorBenchmark {
    static let events = 500_000
    static let symbols = 2_000

    static func run(bootstrap: String, influxURL: String, binary: String) async throws {
        let id = UUID().uuidString.prefix(8).lowercased()
        let topic = "bench.ticks.\(id)"
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: [bootstrap]), logger: logger)
        try await admin.createTopic(topic, partitions: 6)
        try await admin.createTopic("\(topic).fx", partitions: 1)
        try await admin.createTopic("\(topic).dead", partitions: 1)
        let market = makeEvents()
        try inMemory(market)
        try await produce(market, topic: topic, bootstrap: bootstrap)
        print("  \(events) ticker events of \(symbols) symbols in \(topic) (6 partitions)")

        Broker.waitUntilQuiet(before: "(a)")
        let kcatCPU = CPUCost(consumer: .childProcesses, messages: 3 * events)
        let kcat = try Bench.measure("(a) kcat -C -e -q -o beginning > /dev/null", operations: events, unit: "msg", runs: 3) {
            try KafkaBenchmark.kcat(["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-o", "beginning"])
        }
        print("  (a) kcat, 3 runs: \(kcatCPU.summary())")
        // noida-db ignores fetch.max.bytes: one fetch answer carries a whole partition, which
        // librdkafka holds until it is consumed. kcat's peak is that floor.
        let kcatPeak = try kcatPeakResidentMiB(["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-o", "beginning"])
        let influxCeiling = try await databaseCeiling(market, influxURL: influxURL, database: "bench_ceiling_\(id)")
        // Best of three, as for kcat.
        var runs: [ProcessorRun] = []
        for run in 1...3 {
            Broker.waitUntilQuiet(before: "(c) run \(run)")
            runs.append(try await processorDiscarding(topic: topic, bootstrap: bootstrap, group: "bench-discard-\(id)-\(run)"))
        }
        let encodeOnly = ProcessorRun.best(of: runs)
        let endToEnd = try await processBinary(binary, topic: topic, bootstrap: bootstrap, influxURL: influxURL, database: "bench_e2e_\(id)")
        let livePeak = try await processLive(binary, topic: topic, bootstrap: bootstrap, influxURL: influxURL, database: "bench_e2e_\(id)")
        for pause in ["20ms", "0s"] {
            try await idleCost(binary, caughtUpPause: pause, topic: topic, bootstrap: bootstrap, influxURL: influxURL, database: "bench_e2e_\(id)")
        }

        Bench.ratio("(c) processor incl. group join / (a) kcat (goal >= 80 %)", encodeOnly.total, kcat)
        Bench.ratio("(c) processor from the first batch / (a) kcat", encodeOnly.afterFirstBatch, kcat)
        Bench.ratio("(d) coinflux process end to end / (b) InfluxDB ceiling (goal >= 70 %)", endToEnd.row, influxCeiling)
        print(String(format: "  %-58@ %7.1f MiB (goal < 64 MiB)", "(d) peak RSS, live stream, \(symbols) symbols tracked" as NSString,
                     Double(livePeak) / 1_048_576))
        print(String(format: "  %-58@ %7.1f MiB", "(d) peak RSS over the 500 000-message backlog" as NSString,
                     Double(endToEnd.backlogPeak) / 1_048_576))
        print(String(format: "  %-58@ %7.1f MiB", "(a) peak RSS of kcat over the same backlog" as NSString, kcatPeak))
    }

    static let logger: Logger = {
        var logger = Logger(label: "coinflux.bench.processor")
        logger.logLevel = .warning
        return logger
    }()

    /// Binance tickers round-robin over the symbols, one millisecond apart, numbered `range`
    /// (a later range continues the same series). Prices are whole cents, as exchanges quote them
    /// (`"1099.86"`, never `1099.8600000000001`).
    static func makeEvents(_ range: Range<Int> = 0..<events) -> [MarketEvent] {
        let start: Int64 = 1_767_225_600_000_000_000
        let symbolList = (0..<symbols).map { Symbol(base: "A\($0)", quote: "USDT") }
        return range.map { index in
            let time = start + Int64(index) * 1_000_000
            let cents = 10_000 + index % 997 + 100 * (index % symbols)
            return MarketEvent(kind: .ticker, exchange: .binance, symbol: symbolList[index % symbols], price: Double(cents) / 100,
                               bestBid: Double(cents - 1) / 100, bestAsk: Double(cents + 1) / 100, volume24h: 1_234.5,
                               eventTimeNanos: time, receiveTimeNanos: time + 5_000_000)
        }
    }

    /// The processor's work per message without Kafka, on one core: decoding the messages' JSON,
    /// then decoding, deriving and encoding the points, as (c) does.
    static func inMemory(_ market: [MarketEvent]) throws {
        let settings = PointDeriver.Settings(statistics: try PriceStatistics.Configuration())
        var messages: [UInt8] = []
        var ends: [Int] = []
        for event in market {
            try? EventCodec.encode(event, into: &messages)
            ends.append(messages.count)
        }
        print("  \(market.count) messages, \(messages.count / market.count) bytes each on average")
        messages.withUnsafeBytes { all in
            Bench.measure("in memory: decode", operations: market.count, unit: "msg", runs: 3) {
                var start = 0
                var sum = 0.0
                for end in ends {
                    if let event = try? EventCodec.decode(UnsafeRawBufferPointer(rebasing: all[start..<end])) { sum += event.price }
                    start = end
                }
                Bench.blackHole(sum)
            }
            Bench.measure("in memory: decode + derive + encode", operations: market.count, unit: "msg", runs: 3) {
                var deriver = PointDeriver(settings: settings)
                var counts = DerivationCounts()
                var buffer = LineProtocol.Buffer()
                var start = 0
                for end in ends {
                    if let event = try? EventCodec.decode(UnsafeRawBufferPointer(rebasing: all[start..<end])) {
                        deriver.apply(event, emit: true, into: &buffer, counts: &counts)
                        if buffer.lineCount == 10_000 { buffer.removeAll() }
                    }
                    start = end
                }
                Bench.blackHole(counts)
            }
        }
    }

    /// Produces `market`: all at once, or at `rate` events per second in tenth-of-a-second
    /// bursts (a live stream).
    static func produce(_ market: [MarketEvent], topic: String, bootstrap: String, rate: Int? = nil) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [bootstrap]), logger: logger)
        let burst = max(1, rate.map { $0 / 10 } ?? market.count)
        var next = ContinuousClock.now
        for start in stride(from: 0, to: market.count, by: burst) {
            try await send(market[start..<min(start + burst, market.count)], topic: topic, producer: producer)
            if rate != nil {
                next += .milliseconds(100)
                try await Task.sleep(until: next)
            }
        }
        try await producer.flush(timeout: .seconds(120))
        await producer.close()
    }

    private static func send(_ market: ArraySlice<MarketEvent>, topic: String, producer: KafkaProducer) async throws {
        var buffer: [UInt8] = []
        var index = market.startIndex
        while index < market.endIndex {
            buffer.removeAll(keepingCapacity: true)
            try EventCodec.encode(market[index], into: &buffer)
            do {
                try producer.send(topic: topic, key: EventCodec.key(for: market[index]), value: buffer)
                index += 1
            } catch let error as KafkaError where error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// (b): the derived lines as 5 000-line batches, written over two connections.
    private static func databaseCeiling(_ market: [MarketEvent], influxURL: String, database: String) async throws -> Bench.Row {
        try await createDatabase(database, influxURL: influxURL)
        var deriver = PointDeriver(settings: PointDeriver.Settings(statistics: try PriceStatistics.Configuration()))
        var counts = DerivationCounts()
        var batches: [LineBatch] = []
        var buffer = LineProtocol.Buffer()
        for event in market {
            deriver.apply(event, emit: true, into: &buffer, counts: &counts)
            if buffer.lineCount == 10_000 {
                batches.append(buffer.withUnsafeBytes { LineBatch(bytes: $0) })
                buffer.removeAll()
            }
        }
        if !buffer.isEmpty { batches.append(buffer.withUnsafeBytes { LineBatch(bytes: $0) }) }
        let writer = try InfluxWriter(configuration: InfluxWriterConfiguration(url: influxURL, api: .v1(database: database),
                                                                              maxLinesPerRequest: 5_000, connections: 2), logger: logger)
        let start = ContinuousClock.now
        var written = 0
        for batch in batches {
            written += try await writer.write(batch).writtenLines
        }
        let seconds = (ContinuousClock.now - start).seconds
        try await writer.shutdown()
        return Bench.record("(b) InfluxDB ceiling: 5000-line batches, 2 connections", operations: written, seconds: seconds, unit: "points")
    }

    /// One run of (c): rates with and without joining the group, CPU from the first batch.
    struct ProcessorRun {
        var total: Bench.Row
        var afterFirstBatch: Bench.Row
        var cost: String

        /// The fastest run's figures, printed.
        static func best(of runs: [ProcessorRun]) -> ProcessorRun {
            for (index, run) in runs.enumerated() {
                print(String(format: "  (c) run %d: %.0f msg/s incl. group join, %.0f msg/s from the first batch; %@",
                             index + 1, run.total.rate, run.afterFirstBatch.rate, run.cost as NSString))
            }
            let best = runs.max { $0.afterFirstBatch.rate < $1.afterFirstBatch.rate } ?? runs[0]
            print(best.total)
            print(best.afterFirstBatch)
            return best
        }
    }

    /// (c): the processor with a writer that only counts, from subscribe to the last point.
    private static func processorDiscarding(topic: String, bootstrap: String, group: String) async throws -> ProcessorRun {
        let writer = DiscardingWriter()
        let consumer = KafkaEventSource.consumerConfiguration(bootstrapServers: [bootstrap], groupID: group)
        let settings = ProcessorSettings(
            ticksTopic: topic, fxTopic: "\(topic).fx", deadLetterTopic: "\(topic).dead",
            derivation: PointDeriver.Settings(statistics: try PriceStatistics.Configuration()))
        let metrics = ProcessorMetrics(metrics: Metrics(), ticksTopic: topic)
        let source = try KafkaEventSource(consumerConfiguration: consumer, ticksTopic: topic, fxTopic: settings.fxTopic,
                                          warmupMessages: settings.warmupMessages, metrics: metrics, logger: logger)
        let processor = Processor(source: source, settings: settings, writer: writer,
                                  deadLetters: DiscardingDeadLetters(), metrics: metrics, readiness: Readiness(), logger: logger)
        let start = ContinuousClock.now
        let task = Task { try await processor.run() }
        var firstPoint: ContinuousClock.Instant?
        var linesBeforeFirstPoint = 0
        // CPU from the first point: joining the group is a fixed cost (on noida-db about 0.7 s of
        // broker CPU), not a cost per message.
        var cost = CPUCost(consumer: .thisProcess, messages: events)
        while writer.lines < events {
            if firstPoint == nil, writer.lines > 0 {
                firstPoint = .now
                linesBeforeFirstPoint = writer.lines
                cost = CPUCost(consumer: .thisProcess, messages: events - linesBeforeFirstPoint)
            }
            guard ContinuousClock.now - start < .seconds(300) else { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        let end = ContinuousClock.now
        let spent = cost.summary()
        task.cancel()
        _ = try? await task.value
        return ProcessorRun(
            total: Bench.Row(name: "(c) processor, encoded not sent, incl. group join", operations: writer.lines,
                             seconds: (end - start).seconds, unit: "msg"),
            afterFirstBatch: Bench.Row(name: "(c) processor, encoded not sent, from the first batch", operations: writer.lines - linesBeforeFirstPoint,
                                       seconds: (end - (firstPoint ?? start)).seconds, unit: "msg"),
            cost: spent)
    }

    /// The live stream's rate and length.
    static let liveRate = 10_000
    static let liveSeconds = 15

    /// The peak resident set of one `kcat` run, in MiB: a Python parent with no other children
    /// reads it from `getrusage(RUSAGE_CHILDREN)`.
    static func kcatPeakResidentMiB(_ arguments: [String]) throws -> Double {
        let script = """
            import resource, subprocess, sys
            subprocess.run(["kcat"] + sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            """
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let kilobytes = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError(reason: "could not measure kcat's peak RSS: \(text)")
        }
        return kilobytes / 1024
    }

    static func createDatabase(_ name: String, influxURL: String) async throws {
        var components = URLComponents(string: influxURL + "/query")
        components?.queryItems = [URLQueryItem(name: "q", value: "CREATE DATABASE \(name)")]
        guard let url = components?.url else { throw BenchError(reason: "bad InfluxDB URL \(influxURL)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: request)
    }
}
