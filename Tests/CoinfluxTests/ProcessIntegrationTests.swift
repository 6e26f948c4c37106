import CoinfluxCore
import Foundation
import Kafka
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `coinflux process` between the real broker and the real InfluxDB 1.6.
@Suite(
    "coinflux process: Kafka to InfluxDB, at least once",
    .serialized, .timeLimit(.minutes(10)),
    .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable) && TestServices.shouldRun(needing: TestServices.influxVariable))
)
struct ProcessIntegrationTests {
    @Test("known input gives exactly the expected points; every ema and deviation matches an independent computation")
    func knownInputExpectedPoints() async throws {
        let database = "it_known_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [database])
        let events = TestMarket.events(steps: 1_500)
        try await harness.produce(events)
        let processor = try harness.startProcessor(group: "it-known-\(harness.suffix)", database: database)

        let tickers = TestMarket.tickerCount(events)
        let trades = events.count { $0.kind == .trade }
        let candles = TestMarket.closedCandles(events)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: tickers)
        try await harness.waitForCount("trade", field: "price", database: database, atLeast: trades)
        try await harness.waitForCount("candle_1m", field: "close", database: database, atLeast: candles)
        try await Task.sleep(for: .seconds(1))
        #expect(try await harness.count("ticker", field: "price", database: database) == tickers)
        #expect(try await harness.count("trade", field: "price", database: database) == trades, "same-millisecond trades overwrote each other")
        #expect(try await harness.count("candle_1m", field: "close", database: database) == candles)

        // EMA (α = 0.1, seeded with the first price) and deviation recomputed over the stored prices.
        let rows = try await harness.tickers(database: database)
        #expect(rows.count == tickers)
        let bySeries = Dictionary(grouping: rows) { "\($0.key.exchange) \($0.key.symbol)" }
        #expect(bySeries.count == 7)
        for (series, points) in bySeries {
            var ema: Double?
            for point in points.sorted(by: { $0.key.time < $1.key.time }) {
                let price = point.value.price
                let expected = ema.map { 0.1 * price + 0.9 * $0 } ?? price
                ema = expected
                #expect(abs(point.value.ema - expected) <= 1e-12 * expected, "\(series) at \(point.key.time): ema \(point.value.ema) vs \(expected)")
                let deviation = (price - expected) / expected
                #expect(abs(point.value.deviation - deviation) <= 1e-12, "\(series) at \(point.key.time): deviation")
            }
        }

        // Premiums are consistent with the prices they were computed from.
        let premiums = try await harness.influx.query("SELECT premium, price, reference_price, krw_per_usdt FROM premium", database: database)
        let premiumRows = premiums.first?.values ?? []
        #expect(!premiumRows.isEmpty, "no premium points")
        for row in premiumRows {
            guard row.count == 5, let premium = row[1].double, let price = row[2].double, let reference = row[3].double,
                  let rate = row[4].double else { continue }
            #expect(abs(premium - (price / (reference * rate) - 1)) <= 1e-12)
        }

        let consumed = await processor.sample("coinflux_consumer_messages_total{topic=\"\(harness.ticks)\"}")
        #expect(consumed == Double(events.count))
        #expect(await processor.sample("coinflux_processor_uncommitted_messages") == 0)
        #expect(processor.terminate() == 0, "process did not exit 0 on SIGTERM: \(processor.logTail)")
        #expect(processor.logTail.contains("processor stopped"))
    }

    @Test("offsets are committed at most once per processor.commit_interval, the last ones when the stream goes quiet")
    func commitsOncePerInterval() async throws {
        let spaced = "it_commit_spaced_\(UInt32.random(in: 0...UInt32.max))"
        let eager = "it_commit_eager_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [spaced, eager])
        // Batches of 100 points, or whatever 50 ms brought: dozens while the stream lasts (about 3 s).
        let small = ["--set", "influxdb.batch_lines=100", "--set", "influxdb.connections=1", "--set", "influxdb.flush_interval=50ms"]
        let started = ContinuousClock.now
        let once = try harness.startProcessor(group: "it-commit-spaced-\(harness.suffix)", database: spaced,
                                              extra: small + ["--set", "processor.commit_interval=1s"])
        let always = try harness.startProcessor(group: "it-commit-eager-\(harness.suffix)", database: eager,
                                                extra: small + ["--set", "processor.commit_interval=0s"])
        let events = TestMarket.events(steps: 600)
        try await harness.produce(events, pause: .milliseconds(50), every: 100)
        let tickers = TestMarket.tickerCount(events)
        for database in [spaced, eager] {
            try await harness.waitForCount("ticker", field: "price", database: database, atLeast: tickers)
        }
        let seconds = Double((ContinuousClock.now - started).saturatingNanoseconds) / 1e9
        try await Task.sleep(for: .milliseconds(1_500))

        let spacedCommits = await once.sample("coinflux_consumer_commits_total{outcome=\"ok\"}") ?? 0
        let eagerCommits = await always.sample("coinflux_consumer_commits_total{outcome=\"ok\"}") ?? 0
        print("commits over \(seconds) s: \(spacedCommits) with commit_interval=1s, \(eagerCommits) with 0s")
        // With 0s every write commits: one per batch, a batch every 50 ms or so while the stream lasts.
        #expect(eagerCommits >= 20, "commit_interval=0s: only \(eagerCommits) commits, too few to tell")
        #expect(spacedCommits <= seconds + 3, "commit_interval=1s: \(spacedCommits) commits in \(seconds) s")
        #expect(spacedCommits * 2 < eagerCommits, "commit_interval=1s: \(spacedCommits) commits, 0s: \(eagerCommits)")
        for processor in [once, always] {
            // Everything acknowledged is committed, the last offsets after the stream went quiet.
            #expect(await processor.sample("coinflux_processor_uncommitted_messages") == 0)
            #expect(await processor.sample("coinflux_consumer_messages_total{topic=\"\(harness.ticks)\"}") == Double(events.count))
            #expect(processor.terminate() == 0)
        }
        for database in [spaced, eager] {
            #expect(try await harness.count("ticker", field: "price", database: database) == tickers)
        }
    }

    @Test("kill -9 mid-stream and restart: every point present, ema identical to an uninterrupted run")
    func killAndRestartMatchesReference() async throws {
        let reference = "it_ref_\(UInt32.random(in: 0...UInt32.max))"
        let interrupted = "it_kill_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [reference, interrupted])
        let firstHalf = TestMarket.events(steps: 1_200)
        let secondHalf = TestMarket.events(steps: 1_200, from: 1_200)
        let tickers = TestMarket.tickerCount(firstHalf + secondHalf)
        // A warm-up window shorter than each partition's history (≥ 4 800 messages per base), so
        // the restarted EMA is rebuilt from a window, not from the whole topic.
        let warmup = ["--set", "processor.warmup_messages=1500", "--set", "influxdb.batch_lines=300", "--set", "influxdb.connections=1"]
        // Static membership: the restarted process takes the killed one's place in the group at
        // once. (Without it Kafka reassigns after session.timeout.ms; the test broker, noida-db,
        // never evicts a dead member, so the restart would wait forever.)
        let staticMember = warmup + ["--set", "kafka.properties.group.instance.id=it-kill-\(harness.suffix)"]

        try await harness.produce(firstHalf)
        let uninterrupted = try harness.startProcessor(group: "it-ref-\(harness.suffix)", database: reference, extra: warmup)
        var victim = try harness.startProcessor(group: "it-kill-\(harness.suffix)", database: interrupted, extra: staticMember)
        try await harness.waitForCount("ticker", field: "price", database: interrupted, atLeast: TestMarket.tickerCount(firstHalf) / 2)

        // The second half streams in while the processor is killed in the middle of it.
        async let streaming: Void = harness.produce(secondHalf, pause: .milliseconds(20), every: 200)
        try await Task.sleep(for: .milliseconds(400))
        victim.killNow()
        try await streaming
        let written = try await harness.count("ticker", field: "price", database: interrupted)
        #expect(written < tickers, "the processor finished before it was killed; the test proves nothing")

        victim = try harness.startProcessor(group: "it-kill-\(harness.suffix)", database: interrupted, extra: staticMember)
        do {
            try await harness.waitForCount("ticker", field: "price", database: interrupted, atLeast: tickers)
        } catch {
            Issue.record("\(error)\nrestarted processor's log:\n\(victim.logTail)")
            throw error
        }
        try await harness.waitForCount("ticker", field: "price", database: reference, atLeast: tickers)
        let warmedUp = await victim.sample("coinflux_processor_warmup_messages_total") ?? 0
        #expect(warmedUp > 0, "the restarted processor re-read nothing")

        let expected = try await harness.tickers(database: reference)
        let actual = try await harness.tickers(database: interrupted)
        #expect(expected.count == tickers)
        #expect(Set(actual.keys) == Set(expected.keys), "points missing or extra after the restart")
        var differing = 0
        for (key, value) in expected where actual[key]?.ema != value.ema {
            differing += 1
        }
        #expect(differing == 0, "\(differing) ema values differ from the uninterrupted run")
        #expect(victim.terminate() == 0)
        #expect(uninterrupted.terminate() == 0)
    }

    /// Takeover after a crash (kill -9) needs the broker to expire the dead member's session;
    /// noida-db never does, so this shows the takeover through an orderly leave instead.
    @Test("two processors in one group, one stopped mid-stream: the other takes over its partitions, nothing lost")
    func survivorTakesOver() async throws {
        let database = "it_pair_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [database])
        let group = "it-pair-\(harness.suffix)"
        let first = TestMarket.events(steps: 300)
        let second = TestMarket.events(steps: 2_000, from: 300)
        let small = ["--set", "influxdb.batch_lines=200", "--set", "influxdb.connections=1"]
        let one = try harness.startProcessor(group: group, database: database, extra: small)
        let two = try harness.startProcessor(group: group, database: database, extra: small)
        try await harness.produce(first)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: TestMarket.tickerCount(first))
        // Both members own partitions before one goes (the lag gauges appear within 5 s).
        func owned(_ member: ProcessorProcess) async -> Set<String> {
            Set(await member.metrics().split(separator: "\n").filter { $0.hasPrefix("coinflux_consumer_lag_messages{") }.map { String($0.split(separator: " ")[0]) })
        }
        func shared() async -> Bool {
            let first = await owned(one)
            let second = await owned(two)
            return !first.isEmpty && !second.isEmpty
        }
        let deadline = ContinuousClock.now + .seconds(15)
        var isShared = await shared()
        while !isShared, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            isShared = await shared()
        }
        #expect(isShared, "partitions were not shared")

        async let streaming: Void = harness.produce(second, pause: .milliseconds(20), every: 500)
        try await Task.sleep(for: .milliseconds(300))
        #expect(one.terminate() == 0)
        try await streaming
        let tickers = TestMarket.tickerCount(first + second)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: tickers, timeout: .seconds(120))
        try await Task.sleep(for: .seconds(1))
        #expect(try await harness.count("ticker", field: "price", database: database) == tickers)
        #expect(try await harness.count("trade", field: "price", database: database) == (first + second).count { $0.kind == .trade })
        #expect(two.logTail.contains("assigned 6 partitions"), "the survivor did not take every partition")
        #expect(two.terminate() == 0)
    }

    /// The bound on memory while InfluxDB is down: librdkafka's prefetch (8 MiB, dropped when
    /// intake pauses), the batch being filled and the one being written, and some slack.
    static let outageMemoryBound = 24 * 1_048_576

    @Test("InfluxDB stopped for 40 s mid-stream at ~5 000 messages/s: nothing lost, memory bounded far below the input, the outage in the metrics, writes resume")
    func influxOutage() async throws {
        let server = try InfluxDBServer(httpPort: try freeLoopbackPort(), rpcPort: try freeLoopbackPort())
        try await server.start()
        let database = "it_outage"
        let harness = try await ProcessorHarness.make(influxURL: server.url, databases: [database])
        let processor = try harness.startProcessor(group: "it-outage-\(harness.suffix)", database: database)
        // ~270 000 messages (about 50 MB) streamed over ~55 s: about 5 000 a second.
        let events = TestMarket.events(steps: 30_000)
        let tickers = TestMarket.tickerCount(events)

        async let streaming: Void = harness.produce(events, pause: .milliseconds(100), every: 500)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: 1_000)
        let before = processor.residentBytes
        let consumedBefore = await processor.sample("coinflux_consumer_messages_total{topic=\"\(harness.ticks)\"}") ?? 0
        let outageStart = ContinuousClock.now
        server.stop()
        var peak = before
        var sawPaused = false
        var sawNotReady = false
        let outageEnd = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < outageEnd {
            peak = max(peak, processor.residentBytes)
            if await processor.sample("coinflux_processor_paused") == 1 { sawPaused = true }
            if await processor.get("/readyz").status == 503 { sawNotReady = true }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(await processor.sample("coinflux_influxdb_up") == 0)
        #expect(sawPaused, "intake was never paused during the outage")
        #expect(sawNotReady, "/readyz stayed ready during the outage")
        let failures = await processor.metrics().split(separator: "\n")
            .filter { $0.hasPrefix("coinflux_influxdb_requests_total{result=\"connection_error\"}") }
        #expect(!failures.isEmpty, "the failed requests are not in the metrics")
        // What arrived during the outage, and what holding it would cost: the Kafka messages, and
        // the line protocol of their points (about 1.4 points of ~180 bytes per message).
        let secondsDown = Double((outageStart.duration(to: .now)).saturatingNanoseconds) / 1e9
        let rate = Double(events.count) / 55
        let arrived = Int(rate * secondsDown)
        let messageBytes = try EventCodec.encode(events[0]).count
        let buffered = arrived * messageBytes + Int(Double(arrived) * 1.4 * 180)
        print("influx outage: \(Int(secondsDown)) s down, ~\(arrived) messages arrived (\(arrived * messageBytes / 1_048_576) MiB as messages, "
            + "~\(buffered / 1_048_576) MiB held as messages and points); bound \(Self.outageMemoryBound / 1_048_576) MiB; "
            + "consumed before the outage \(Int(consumedBefore))")
        #expect(buffered >= 3 * Self.outageMemoryBound, "the outage is too short or the rate too low for the bound to mean anything")
        try await server.start()
        try await streaming
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: tickers, timeout: .seconds(240))
        try await Task.sleep(for: .seconds(1))
        #expect(try await harness.count("ticker", field: "price", database: database) == tickers)
        #expect(await processor.sample("coinflux_influxdb_up") == 1)
        #expect(await processor.get("/readyz").status == 200)
        // Bounded: the outage adds no more than the prefetch queue and two batches.
        print("influx outage: RSS before \(before / 1_048_576) MiB, peak during the outage \(peak / 1_048_576) MiB")
        #expect(peak - before < Self.outageMemoryBound, "RSS grew from \(before) to \(peak) bytes during the outage")
        #expect(processor.terminate() == 0)
        server.stop()
    }

    @Test("a poison message and a point InfluxDB refuses land in the dead letters with reasons; the stream continues")
    func deadLetters() async throws {
        let database = "it_dead_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try await ProcessorHarness.make(databases: [database])
        // `ask_size` stored as a string first: InfluxDB will refuse the float of the ZZZ ticker below.
        let conflict = "ticker,base=ZZZ,exchange=binance,quote=USDT,symbol=ZZZ-USDT ask_size=\"x\" \(TestMarket.start - 1_000_000_000)\n"
        try await harness.influx.write(Array(conflict.utf8), database: database)

        let before = TestMarket.events(steps: 50)
        let after = TestMarket.events(steps: 50, from: 50)
        let refused = MarketEvent(kind: .ticker, exchange: .binance, symbol: Symbol(base: "ZZZ", quote: "USDT"), price: 5,
                                  bestAskSize: 2, eventTimeNanos: TestMarket.start, receiveTimeNanos: TestMarket.start)
        try await harness.produce(before + [refused])
        try await harness.produceRaw(Array("{\"v\":1,\"kind\":\"ticker\"".utf8), key: "BTC")
        try await harness.produce(after)
        let processor = try harness.startProcessor(group: "it-dead-\(harness.suffix)", database: database)

        let tickers = TestMarket.tickerCount(before + after)
        try await harness.waitForCount("ticker", field: "price", database: database, atLeast: tickers)
        let records = try await harness.deadLetterRecords(expected: 2)
        #expect(records.count == 2)
        let undecodable = try #require(records.first { $0["kind"] as? String == "undecodable" })
        #expect((undecodable["reason"] as? String)?.isEmpty == false)
        #expect((undecodable["payload"] as? String) == "{\"v\":1,\"kind\":\"ticker\"")
        let source = try #require(undecodable["source"] as? [String: Any])
        #expect(source["topic"] as? String == harness.ticks)
        #expect(source["offset"] is Int)
        let rejected = try #require(records.first { $0["kind"] as? String == "rejected_by_influxdb" })
        #expect((rejected["reason"] as? String)?.contains("field type conflict") == true, "\(rejected)")
        #expect((rejected["payload"] as? String)?.hasPrefix("ticker,base=ZZZ") == true)

        #expect(await processor.sample("coinflux_deadletter_messages_total{reason=\"undecodable\"}") == 1)
        #expect(await processor.sample("coinflux_deadletter_messages_total{reason=\"rejected_by_influxdb\"}") == 1)
        #expect(processor.terminate() == 0)
    }
}
