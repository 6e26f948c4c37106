import CoinfluxCore
import Foundation
import Kafka
import Logging
import Simulator
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults injected into the running pipeline — the real `coinflux` binaries, the real broker and
/// InfluxDB 1.6 on loopback — each checked end to end by comparing what reached InfluxDB, point for
/// point per measurement, with a run that saw no fault (a processor of another group reading the
/// same topic), and printing the counts it compares.
@Suite(
    "Faults: kill -9 of the broker, InfluxDB, the processor, a group member and the collector",
    .serialized, .timeLimit(.minutes(10)),
    .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable))
)
struct FaultTests {
    static func database(_ name: String) -> String { "fault_\(name)_\(UInt32.random(in: 0...UInt32.max))" }

    /// Waits until `condition` holds (checked every 200 ms), or `timeout` passes; returns whether it held.
    static func eventually(within timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }

    // MARK: The processor

    @Test("processor killed with kill -9 inside open candle minutes, at a rate where a minute holds far more than processor.warmup_messages: every measurement equals an uninterrupted run's, point for point")
    func processorKilledInsideOpenMinute() async throws {
        let reference = Self.database("proc_ref")
        let windowed = Self.database("proc_window")
        let countOnly = Self.database("proc_count")
        let harness = try await ProcessorHarness.make(databases: [reference, windowed, countOnly])
        // 100 ms of market time per step, about 9 messages: a candle minute holds ~1 800 messages
        // per base (one partition each), ninety times the 20 re-read by count.
        let firstHalf = TestMarket.events(steps: 1_200, constantRate: true)
        let secondHalf = TestMarket.events(steps: 1_200, from: 1_200, constantRate: true)
        let all = firstHalf + secondHalf
        let small = ["--set", "influxdb.batch_lines=300", "--set", "influxdb.connections=1", "--set", "processor.warmup_messages=20"]
        func member(_ name: String) -> [String] { ["--set", "kafka.properties.group.instance.id=\(name)-\(harness.suffix)"] }

        try await harness.produce(firstHalf)
        let uninterrupted = try harness.startProcessor(group: "fault-ref-\(harness.suffix)", database: reference, extra: small)
        // The same crash twice: with the default processor.warmup_window (2m), and without a window
        // (warm-up by count only), which shows that the comparison can fail.
        var victim = try harness.startProcessor(group: "fault-window-\(harness.suffix)", database: windowed, extra: small + member("window"))
        var control = try harness.startProcessor(group: "fault-count-\(harness.suffix)", database: countOnly,
                                                 extra: small + member("count") + ["--set", "processor.warmup_window=0s"])
        try await harness.waitForCount("ticker", field: "price", database: windowed, atLeast: TestMarket.tickerCount(firstHalf) / 2)
        try await harness.waitForCount("ticker", field: "price", database: countOnly, atLeast: TestMarket.tickerCount(firstHalf) / 2)

        async let streaming: Void = harness.produce(secondHalf, pause: .milliseconds(20), every: 200)
        try await Task.sleep(for: .milliseconds(500))
        victim.killNow()
        control.killNow()
        try await streaming
        let writtenBefore = try await harness.count("ticker", field: "price", database: windowed)
        #expect(writtenBefore < TestMarket.tickerCount(all), "the processor finished before it was killed; the test proves nothing")

        victim = try harness.startProcessor(group: "fault-window-\(harness.suffix)", database: windowed, extra: small + member("window"))
        control = try harness.startProcessor(group: "fault-count-\(harness.suffix)", database: countOnly,
                                             extra: small + member("count") + ["--set", "processor.warmup_window=0s"])
        for database in [reference, windowed, countOnly] {
            try await harness.waitForCount("ticker", field: "price", database: database, atLeast: TestMarket.tickerCount(all))
            try await harness.waitForCount("candle_1m", field: "close", database: database, atLeast: TestMarket.closedCandles(all))
            try await harness.waitForQuiet("premium", field: "premium", database: database)
        }
        #expect(victim.log.contains("warm-up window reaches further back"), "the window never extended the warm-up:\n\(victim.logTail)")

        let differing = try await harness.differences(actual: windowed, reference: reference, label: "processor kill -9, warmup_window=2m")
        #expect(differing.isEmpty, "after kill -9 and restart: \(differing)")
        let controlDiffering = try await harness.differences(actual: countOnly, reference: reference, label: "processor kill -9, warmup_window=0s")
        #expect(!controlDiffering.isEmpty, "warm-up by 20 messages gave the same points: the crash did not hit an open minute")
        for process in [victim, control, uninterrupted] {
            #expect(process.terminate() == 0)
        }
    }

    @Test("two processors in one group, one killed with kill -9 holding uncommitted messages: once the dead member is removed from the group, the survivor writes its uncommitted tail")
    func survivorWritesUncommittedTail() async throws {
        let reference = Self.database("pair_ref")
        let database = Self.database("pair")
        let harness = try await ProcessorHarness.make(databases: [reference, database])
        let group = "fault-pair-\(harness.suffix)"
        let first = TestMarket.events(steps: 600, constantRate: true)
        let second = TestMarket.events(steps: 1_200, from: 600, constantRate: true)
        let all = first + second
        try await harness.produce(first)
        let small = ["--set", "influxdb.batch_lines=200", "--set", "influxdb.connections=1"]
        // Static members: noida-db assigns a crashed member's partitions only once it is removed.
        // The victim commits once an hour: every message it takes stays uncommitted.
        let victim = try harness.startProcessor(group: group, database: database, extra: small + [
            "--set", "kafka.properties.group.instance.id=\(group)-victim", "--set", "processor.commit_interval=1h"])
        let survivor = try harness.startProcessor(group: group, database: database, extra: small + [
            "--set", "kafka.properties.group.instance.id=\(group)-survivor"])
        let uninterrupted = try harness.startProcessor(group: "fault-pair-ref-\(harness.suffix)", database: reference, extra: small)

        async let streaming: Void = harness.produce(second, pause: .milliseconds(20), every: 300)
        let holding = await Self.eventually(within: .seconds(60)) {
            let uncommitted = await victim.sample("coinflux_processor_uncommitted_messages") ?? 0
            let consumed = await victim.sample("coinflux_consumer_messages_total{topic=\"\(harness.ticks)\"}") ?? 0
            return uncommitted > 1_000 && consumed > 1_000
        }
        let held = await victim.sample("coinflux_processor_uncommitted_messages") ?? 0
        #expect(holding, "the victim never held uncommitted messages: \(victim.logTail)")
        victim.killNow()
        let assignmentsAtKill = survivor.log.components(separatedBy: "assigned ").count
        try await streaming
        print("group member killed holding \(Int(held)) uncommitted messages")

        // noida-db never expires the dead member's session: its partitions stay with it.
        try await Task.sleep(for: .seconds(5))
        #expect(survivor.log.components(separatedBy: "assigned ").count == assignmentsAtKill, "partitions moved without the removal:\n\(survivor.logTail)")
        // What Apache Kafka does by itself after session.timeout.ms (45 s by default) for a dead
        // static member: the member is removed from the group and its partitions are assigned to
        // the others. Here a LeaveGroup request naming its group.instance.id (KIP-345) does it.
        let leave = try runCommand(["python3", "scripts/kafka-leave-group.py", harness.broker, group, "\(group)-victim"], in: Self.packageRoot)
        #expect(leave.status == 0, "LeaveGroup failed: \(leave.output)")
        #expect(await Self.eventually(within: .seconds(30)) { survivor.log.contains("assigned 6 partitions") },
                "the survivor did not take every partition:\n\(survivor.logTail)")

        for database in [reference, database] {
            try await harness.waitForCount("ticker", field: "price", database: database, atLeast: TestMarket.tickerCount(all), timeout: .seconds(120))
            try await harness.waitForCount("candle_1m", field: "close", database: database, atLeast: TestMarket.closedCandles(all))
            try await harness.waitForQuiet("premium", field: "premium", database: database)
        }
        let differing = try await harness.differences(actual: database, reference: reference, label: "group member kill -9")
        #expect(differing.isEmpty, "after the takeover: \(differing)")
        #expect(survivor.terminate() == 0)
        #expect(uninterrupted.terminate() == 0)
    }

    // MARK: InfluxDB

    @Test("InfluxDB killed with kill -9 and restarted mid-stream: nothing lost, coinflux not restarted")
    func influxKilledMidStream() async throws {
        let server = try InfluxDBServer(httpPort: try freeLoopbackPort(), rpcPort: try freeLoopbackPort())
        try await server.start()
        let victimDatabase = "fault_influx"
        let reference = Self.database("influx_ref")
        let harness = try await ProcessorHarness.make(influxURL: server.url, databases: [victimDatabase])
        let shared = InfluxHTTP(base: try TestServices.require(TestServices.influxVariable))
        try await shared.query("CREATE DATABASE \(reference)", database: nil)
        let referenceHarness = ProcessorHarness(broker: harness.broker, influx: shared, suffix: harness.suffix)

        let events = TestMarket.events(steps: 3_000, constantRate: true)
        try await harness.produce(events.prefix(900))
        let processor = try harness.startProcessor(group: "fault-influx-\(harness.suffix)", database: victimDatabase)
        let uninterrupted = try referenceHarness.startProcessor(group: "fault-influx-ref-\(harness.suffix)", database: reference)
        let pid = processor.process.processIdentifier

        async let streaming: Void = harness.produce(events.dropFirst(900), pause: .milliseconds(100), every: 900)
        try await harness.waitForCount("ticker", field: "price", database: victimDatabase, atLeast: 500)
        server.kill()
        try await Task.sleep(for: .seconds(10))
        #expect(await processor.sample("coinflux_influxdb_up") == 0)
        try await server.start()
        try await streaming

        let tickers = TestMarket.tickerCount(events)
        for (each, database) in [(harness, victimDatabase), (referenceHarness, reference)] {
            try await each.waitForCount("ticker", field: "price", database: database, atLeast: tickers, timeout: .seconds(120))
            try await each.waitForCount("candle_1m", field: "close", database: database, atLeast: TestMarket.closedCandles(events))
            try await each.waitForQuiet("premium", field: "premium", database: database)
        }
        #expect(processor.process.isRunning && processor.process.processIdentifier == pid, "coinflux process was restarted or died")
        let failures = await processor.metrics().split(separator: "\n").filter { $0.hasPrefix("coinflux_influxdb_requests_total{result=\"connection_error\"}") }
        #expect(!failures.isEmpty, "the outage is not in the metrics")
        var differing: [String] = []
        var counts: [String] = []
        for measurement in ProcessorHarness.measurements {
            let expected = try await referenceHarness.points(measurement, database: reference)
            let got = try await harness.points(measurement, database: victimDatabase)
            counts.append("\(measurement) \(got.count)/\(expected.count)")
            if got != expected { differing.append(measurement) }
        }
        print("InfluxDB kill -9: points per measurement (actual/reference): \(counts.joined(separator: ", "))")
        #expect(differing.isEmpty, "measurements differing from the uninterrupted run: \(differing)")
        #expect(processor.terminate() == 0)
        #expect(uninterrupted.terminate() == 0)
        server.stop()
    }

    // MARK: The broker

    /// noida-db acknowledges writes it keeps in memory for a few seconds: killed with kill -9 it
    /// loses the last seconds it acknowledged (Apache Kafka, whose log is in the page cache, loses
    /// nothing on a process kill). That loss also desynchronises the idempotent producer's
    /// sequence numbers, which librdkafka treats as fatal (see the report). So the exchanges fall
    /// silent for 7 s, the broker is killed after 6 (what it acknowledged is on disk by then), and
    /// the frames come back while it is down: the collector buffers a few seconds of events.
    @Test("broker killed with kill -9 mid-stream and restarted on its data: the collector buffers and delivers, the processor resumes, every queued event reaches InfluxDB")
    func brokerKilledMidStream() async throws {
        let broker = try KafkaBroker()
        try await broker.start()
        let live = Self.database("broker")
        let reference = Self.database("broker_ref")
        let harness = try await ProcessorHarness.make(broker: broker.address, databases: [live, reference])
        // BTC's order books too, on their own topic and processor pipeline.
        let booksTopic = "it.books.\(harness.suffix)"
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: [harness.broker]), logger: Logger(label: "test.admin"))
        try await admin.createTopic(booksTopic, partitions: 6)
        let books = ["--set", "kafka.books_topic=\(booksTopic)", "--set", "processor.books=true"]
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 40, tickersPerSecond: 40, seed: 21), logger: Logger(label: "test.simulator"))
        let simulatorPort = try await simulator.start()
        let collector = try harness.startCollector(simulatorPort: simulatorPort, extra: ["--set", "kafka.books_topic=\(booksTopic)"]
            + Exchange.allCases.flatMap { ["--set", "collector.\($0.rawValue).books=BTC-\([.binance, .bybit].contains($0) ? "USDT" : "KRW")"] })
        // The processor starts once the FX topic has a rate, like the reference run below.
        let fxQueued = "coinflux_producer_messages_total{topic=\"\(harness.fx)\",outcome=\"queued\"}"
        #expect(await Self.eventually(within: .seconds(30)) { (await collector.sample(fxQueued) ?? 0) > 0 }, "no FX rate: \(collector.logTail)")
        try await Task.sleep(for: .seconds(1))
        let processor = try harness.startProcessor(group: "fault-broker-\(harness.suffix)", database: live, extra: books)
        try await harness.waitForCount("ticker", field: "price", database: live, atLeast: 200)

        for exchange in Exchange.allCases {
            _ = try runCommand(["curl", "-sf", "-X", "POST", "http://127.0.0.1:\(simulatorPort)/admin/\(exchange.rawValue)/silence?seconds=7"])
        }
        try await Task.sleep(for: .seconds(6))
        let ticksQueued = "coinflux_producer_messages_total{topic=\"\(harness.ticks)\",outcome=\"queued\"}"
        let booksQueued = "coinflux_producer_messages_total{topic=\"\(booksTopic)\",outcome=\"queued\"}"
        let delivered = "coinflux_producer_deliveries_total{outcome=\"delivered\"}"
        /// Events queued to every topic so far.
        func queuedNow() async -> Double {
            var total = 0.0
            for series in [ticksQueued, fxQueued, booksQueued] { total += await collector.sample(series) ?? 0 }
            return total
        }
        broker.kill()
        // The frames come back after a second; the collector holds them while the broker is down.
        var buffered = 0.0
        for _ in 0..<12 {
            try await Task.sleep(for: .milliseconds(500))
            buffered = max(buffered, await queuedNow() - (await collector.sample(delivered) ?? 0))
        }
        try await broker.start()
        try await Task.sleep(for: .seconds(8))
        await simulator.stop()
        print("broker kill -9: the collector held up to \(Int(buffered)) undelivered events while the broker was down")
        #expect(buffered > 50, "the collector had nothing to buffer while the broker was down")

        // Everything the collector queued is delivered once the broker is back.
        let settled = await Self.eventually(within: .seconds(60)) {
            let queued = await queuedNow()
            let deliveredNow = await collector.sample(delivered) ?? -1
            return queued > 0 && deliveredNow == queued
        }
        let queuedTicks = Int(await collector.sample(ticksQueued) ?? 0)
        let queuedFX = Int(await collector.sample(fxQueued) ?? 0)
        let queuedBooks = Int(await collector.sample(booksQueued) ?? 0)
        let deliveredAll = Int(await collector.sample(delivered) ?? 0)
        var dropped = 0.0
        for topic in [harness.ticks, booksTopic] {
            dropped += await collector.sample("coinflux_producer_messages_total{topic=\"\(topic)\",outcome=\"dropped\"}") ?? 0
        }
        let failed = await collector.sample("coinflux_producer_deliveries_total{outcome=\"failed\"}") ?? 0
        let stored = try await harness.storedMessages(harness.ticks, partitions: 6)
        let storedBooks = try await harness.storedMessages(booksTopic, partitions: 6)
        print("broker kill -9: collector queued \(queuedTicks) ticks + \(queuedFX) FX + \(queuedBooks) books, delivered \(deliveredAll), failed \(Int(failed)), dropped \(Int(dropped)); topics hold \(stored) ticks, \(storedBooks) books")
        #expect(settled, "the collector did not deliver everything it queued: \(collector.logTail)")
        #expect(dropped == 0 && failed == 0)
        #expect(stored == queuedTicks, "the ticks topic holds \(stored) messages, the collector queued \(queuedTicks)")
        #expect(storedBooks == queuedBooks && storedBooks > 0, "the books topic holds \(storedBooks) books, the collector queued \(queuedBooks)")
        // The collector may still record something: a gap whose REST repair failed when the
        // exchanges went away marks candles incomplete. Stopped, it has delivered all it will, and
        // both processors read the same, final topic.
        #expect(collector.terminate() == 0)
        let final = try await harness.storedMessages(harness.ticks, partitions: 6)
        print("broker kill -9: the collector added \(final - stored) messages to the ticks topic after it had delivered all it queued")

        // The processor consumed every stored message; a processor of another group reading the
        // same topic from the start is the uninterrupted run.
        let resumed = await Self.eventually(within: .seconds(90)) {
            await processor.sample("coinflux_consumer_messages_total{topic=\"\(harness.ticks)\"}") ?? 0 >= Double(final)
        }
        #expect(resumed, "the processor did not resume: \(processor.logTail)")
        let uninterrupted = try harness.startProcessor(group: "fault-broker-ref-\(harness.suffix)", database: reference, extra: books)
        let replayed = await Self.eventually(within: .seconds(90)) {
            await uninterrupted.sample("coinflux_consumer_messages_total{topic=\"\(harness.ticks)\"}") ?? 0 >= Double(final)
        }
        #expect(replayed)
        // Everything consumed is written once nothing is left uncommitted (the ticks), and once the
        // book pipeline has read every book and its points stop changing.
        for (each, database) in [(processor, live), (uninterrupted, reference)] {
            #expect(await Self.eventually(within: .seconds(60)) { await each.sample("coinflux_processor_uncommitted_messages") == 0 })
            #expect(await Self.eventually(within: .seconds(60)) {
                await each.sample("coinflux_consumer_messages_total{topic=\"\(booksTopic)\"}") ?? 0 >= Double(storedBooks)
            })
            try await harness.waitForQuiet("orderbook", field: "mid", database: database, quiet: .seconds(2))
        }
        // Premiums by series and time: their KRW-per-USDT rate is the newest the processor had read.
        let differing = try await harness.differences(actual: live, reference: reference, label: "broker kill -9", premiumValues: false,
                                                      also: ["gap", "orderbook", "premium_executable"])
        #expect(differing.isEmpty, "after the broker restart: \(differing)")
        #expect(processor.terminate() == 0)
        #expect(uninterrupted.terminate() == 0)
        broker.stop()
    }

    // MARK: The collector

    /// A collector killed with kill -9 loses the frames the exchanges sent while it was down and
    /// the events librdkafka had queued but not yet delivered. Its restart finds where each series
    /// left off in the topic and backfills the trades from REST (CompleteDataTests.collectorRestart
    /// compares them with the simulator's log); tickers of that time stay missing. The metrics
    /// show both losses: the last scrape of the killed process has `coinflux_producer_messages_total
    /// {outcome="queued"}` and `coinflux_producer_deliveries_total{outcome="delivered"}` (their
    /// difference bounds what was in flight), and the gap shows as
    /// `coinflux_feed_last_message_timestamp_seconds` jumping and the counters starting again from
    /// zero (a counter reset).
    @Test("collector killed with kill -9: it restarts cleanly, and what it lost is visible in the metrics")
    func collectorKilled() async throws {
        let harness = try await ProcessorHarness.make(databases: [])
        let simulator = ExchangeSimulator(configuration: SimulatorConfiguration(tradesPerSecond: 40, tickersPerSecond: 40, seed: 23), logger: Logger(label: "test.simulator"))
        let simulatorPort = try await simulator.start()
        let ticksQueued = "coinflux_producer_messages_total{topic=\"\(harness.ticks)\",outcome=\"queued\"}"
        let delivered = "coinflux_producer_deliveries_total{outcome=\"delivered\"}"
        var collector = try harness.startCollector(simulatorPort: simulatorPort)
        #expect(await Self.eventually(within: .seconds(30)) { (await collector.sample(ticksQueued) ?? 0) > 500 })
        // Scrape it as Prometheus would, then kill it between two scrapes.
        var lastQueued = 0.0, lastDelivered = 0.0, lastFrame = 0.0
        for _ in 0..<5 {
            let text = await collector.metrics()
            lastQueued = Self.value(text, ticksQueued) ?? lastQueued
            lastDelivered = Self.value(text, delivered) ?? lastDelivered
            lastFrame = text.split(separator: "\n").filter { $0.hasPrefix("coinflux_feed_last_message_timestamp_seconds{") }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.max() ?? lastFrame
            try await Task.sleep(for: .milliseconds(200))
        }
        collector.killNow()
        let storedAfterKill = try await harness.storedMessages(harness.ticks, partitions: 6) + harness.storedMessages(harness.fx, partitions: 1)
        try await Task.sleep(for: .seconds(3))

        collector = try harness.startCollector(simulatorPort: simulatorPort)
        let connected = await Self.eventually(within: .seconds(30)) {
            let text = await collector.metrics()
            return Exchange.allCases.allSatisfy { Self.value(text, "coinflux_feed_connected{exchange=\"\($0.rawValue)\"}") == 1 }
        }
        #expect(connected, "the restarted collector did not connect every feed: \(collector.logTail)")
        #expect(await Self.eventually(within: .seconds(30)) { (await collector.sample(ticksQueued) ?? 0) > 200 })
        let restartedText = await collector.metrics()
        let restartedQueued = Self.value(restartedText, ticksQueued) ?? 0
        let firstFrame = restartedText.split(separator: "\n").filter { $0.hasPrefix("coinflux_feed_last_message_timestamp_seconds{") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.min() ?? 0
        await simulator.stop()
        #expect(collector.terminate() == 0)
        StartupFailureTests.expectNoTrap(collector.log)

        print("collector kill -9: last scrape queued \(Int(lastQueued)) ticks, delivered \(Int(lastDelivered)) (ticks and FX), in flight \(Int(lastQueued - lastDelivered)) at most; the topics held \(storedAfterKill) after the kill; gap in frames \(String(format: "%.1f", firstFrame - lastFrame)) s; the restarted collector queued \(Int(restartedQueued)) from zero")
        #expect(Double(storedAfterKill) >= lastDelivered, "messages reported delivered are missing from the topics")
        #expect(firstFrame - lastFrame >= 3, "the gap does not show in coinflux_feed_last_message_timestamp_seconds")
        #expect(restartedQueued < lastQueued, "the counters did not start again from zero")
    }

    /// The package's root directory (for its scripts).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }
}
