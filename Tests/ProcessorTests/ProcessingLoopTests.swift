import CoinfluxCore
import InfluxWriter
import Logging
import ProcessorCore
import ServiceLifecycle
import ServiceLifecycleTestKit
import Telemetry
import Testing

@testable import Processor

/// The processing loop on a scripted source: no broker, no InfluxDB.
@Suite("Processing loop")
struct ProcessingLoopTests {
    static func settings(batchPoints: Int = 1_000, flush: Duration = .zero, commitInterval: Duration = .zero,
                         shutdownTimeout: Duration = .seconds(5), warmup: Int = 0) throws -> ProcessorSettings {
        ProcessorSettings(
            derivation: PointDeriver.Settings(statistics: try PriceStatistics.Configuration(alpha: 0.5)),
            batchPoints: batchPoints, flushInterval: flush, warmupMessages: warmup, pollMessages: 100,
            commitInterval: commitInterval, shutdownTimeout: shutdownTimeout)
    }

    static func loop(_ source: ScriptedSource, _ writer: GatedWriter, settings: ProcessorSettings,
                     deadLetters: CollectedDeadLetters = CollectedDeadLetters()) -> ProcessingLoop {
        let metrics = ProcessorMetrics(metrics: Metrics(), ticksTopic: source.topic)
        let logger = Logger(label: "test.loop")
        let delivery = BatchDelivery(writer: writer, deadLetters: deadLetters, metrics: metrics, topic: source.topic, logger: logger)
        return ProcessingLoop(source: source, settings: settings, delivery: delivery, metrics: metrics, logger: logger)
    }

    /// Steps `loop` until `done` holds, at most `limit`.
    static func step(_ loop: inout ProcessingLoop, limit: Duration = .seconds(30), until done: (ProcessingLoop) -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !done(loop) {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not reached within \(limit)")
                return
            }
            try await loop.step()
        }
    }

    @Test("derived points are written, then exactly what was acknowledged is committed")
    func writesThenCommits() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil), .assigned(partition: 1, warmupEnd: nil)],
                        messages: Script.tickers(partition: 0, 0..<5) + Script.tickers(partition: 1, 0..<3)),
        ])
        let writer = GatedWriter()
        var loop = Self.loop(source, writer, settings: try Self.settings())
        try await Self.step(&loop) { source.commits.last == [0: 5, 1: 3] && $0.uncommittedMessages == 0 }
        #expect(source.commits == [[0: 5, 1: 3]])
        #expect(writer.lines.count == 8)
        #expect(writer.lines.allSatisfy { $0.hasPrefix("ticker,") })
    }

    @Test("warm-up messages rebuild state without being written: the EMA equals an uninterrupted run's")
    func warmUp() async throws {
        let all = Script.tickers(partition: 0, 0..<6)
        let uninterrupted = ScriptedSource(polls: [SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: all)])
        let reference = GatedWriter()
        var first = Self.loop(uninterrupted, reference, settings: try Self.settings())
        try await Self.step(&first) { _ in reference.lines.count == 6 }

        let restarted = ScriptedSource(polls: [SourceBatch(changes: [.assigned(partition: 0, warmupEnd: 4)], messages: all)])
        let writer = GatedWriter()
        var second = Self.loop(restarted, writer, settings: try Self.settings())
        try await Self.step(&second) { _ in restarted.commits.last == [0: 6] }
        #expect(writer.lines == Array(reference.lines.suffix(2)), "offsets 4 and 5 only, with the state of all six")
    }

    @Test("a partition assigned again mid-warm-up (the source read further back) rebuilds its state from scratch")
    func warmUpExtended() async throws {
        let all = Script.tickers(partition: 0, 0..<8)
        let uninterrupted = ScriptedSource(polls: [SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: all)])
        let reference = GatedWriter()
        var first = Self.loop(uninterrupted, reference, settings: try Self.settings())
        try await Self.step(&first) { _ in reference.lines.count == 8 }

        // Warm-up first from offset 3; then the source rewinds to 0 and says so with a new assignment.
        let restarted = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: 6)], messages: Array(all[3..<5])),
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: 6)], messages: all),
        ])
        let writer = GatedWriter()
        var second = Self.loop(restarted, writer, settings: try Self.settings())
        try await Self.step(&second) { _ in restarted.commits.last == [0: 8] }
        #expect(writer.lines == Array(reference.lines.suffix(2)), "offsets 6 and 7 only, with the state of all eight, 3 and 4 applied once")
    }

    @Test("a partition revoked while its write is in flight is not committed; the others are")
    func revocationDuringWrite() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil), .assigned(partition: 1, warmupEnd: nil)],
                        messages: Script.tickers(partition: 0, 0..<3) + Script.tickers(partition: 1, 0..<3)),
        ])
        let writer = GatedWriter()
        writer.setOpen(false)
        var loop = Self.loop(source, writer, settings: try Self.settings())
        try await Self.step(&loop) { _ in writer.writes == 1 }
        source.script(SourceBatch(changes: [.revoked(partitions: [1])]))
        try await Self.step(&loop) { _ in source.remainingPolls == 0 }
        writer.setOpen(true)
        try await Self.step(&loop) { _ in !source.commits.isEmpty }
        #expect(source.commits == [[0: 3]])
        #expect(loop.partitions.keys.sorted() == [0])
    }

    @Test("while the writer fails the source is paused; it resumes when writes succeed, and nothing is lost")
    func pausesWhileTheWriterFails() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: Script.tickers(partition: 0, 0..<4)),
        ])
        let writer = GatedWriter()
        writer.setOpen(false)
        var loop = Self.loop(source, writer, settings: try Self.settings())
        try await Self.step(&loop) { _ in writer.writes == 1 }
        writer.setHealth(.unavailable("connection refused"))
        try await Self.step(&loop) { $0.isPaused }
        source.script(SourceBatch(messages: Script.tickers(partition: 0, 4..<6)))
        for _ in 0..<5 { try await loop.step() }
        #expect(source.remainingPolls == 1, "no poll is taken while paused")
        writer.setHealth(.healthy)
        writer.setOpen(true)
        try await Self.step(&loop) { _ in source.commits.last == [0: 6] }
        #expect(source.pauses == [true, false])
        #expect(writer.lines.count == 6)
    }

    @Test("a failed commit gives its offsets back: the next commit carries them")
    func failedCommitIsRetried() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: Script.tickers(partition: 0, 0..<5)),
        ])
        source.failNextCommits(2)
        let writer = GatedWriter()
        var loop = Self.loop(source, writer, settings: try Self.settings())
        try await Self.step(&loop) { _ in source.commits.last == [0: 5] }
        #expect(source.commits == [[0: 5]], "two failed attempts, then the same offsets committed")
    }

    @Test("an undecodable message is dead-lettered once, with its source position, and committed")
    func undecodableMessage() async throws {
        var messages = Script.tickers(partition: 0, 0..<4)
        messages[2] = SourceMessage(position: MessagePosition(partition: 0, offset: 2), timeNanos: nil,
                                    record: .failure(Undecodable(reason: "missing field price", payload: Array("{}".utf8))))
        let source = ScriptedSource(polls: [SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: messages)])
        let writer = GatedWriter()
        let letters = CollectedDeadLetters()
        var loop = Self.loop(source, writer, settings: try Self.settings(), deadLetters: letters)
        try await Self.step(&loop) { _ in source.commits.last == [0: 4] }
        #expect(letters.all.count == 1)
        #expect(letters.all.first?.kind == .undecodable)
        #expect(letters.all.first?.source == DeadLetter.Source(topic: "scripted", partition: 0, offset: 2))
        #expect(writer.lines.count == 3)
    }

    @Test("shutdown writes the open batch and commits it")
    func drainWritesAndCommits() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: Script.tickers(partition: 0, 0..<7)),
        ])
        let writer = GatedWriter()
        var loop = Self.loop(source, writer, settings: try Self.settings(flush: .seconds(3_600), commitInterval: .seconds(3_600)))
        try await Self.step(&loop) { _ in source.remainingPolls == 0 }
        #expect(writer.lines.isEmpty, "the batch is neither full nor old")
        await loop.drain()
        #expect(writer.lines.count == 7)
        #expect(source.commits == [[0: 7]])
    }

    @Test("shutdown gives up on a write that does not finish within the timeout and commits nothing of it")
    func drainGivesUpOnAStuckWrite() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: Script.tickers(partition: 0, 0..<3)),
        ])
        let writer = GatedWriter()
        writer.setOpen(false)
        var loop = Self.loop(source, writer, settings: try Self.settings(shutdownTimeout: .milliseconds(300)))
        try await Self.step(&loop) { _ in writer.writes == 1 }
        let started = ContinuousClock.now
        await loop.drain()
        #expect(started.duration(to: .now) < .seconds(2))
        #expect(source.commits.isEmpty)
        #expect(writer.lines.isEmpty)
        #expect(loop.uncommittedMessages == 3)
    }

    @Test("the in-process queue: at shutdown every queued event is written, and nothing is committed")
    func volatileSourceDrainsTheQueue() async throws {
        let queue = EventQueue(capacity: 100)
        let source = QueueEventSource(queue: queue)
        let writer = GatedWriter()
        let metrics = ProcessorMetrics(metrics: Metrics(), ticksTopic: "in-process")
        let logger = Logger(label: "test.loop")
        let delivery = BatchDelivery(writer: writer, deadLetters: CollectedDeadLetters(), metrics: metrics, topic: source.topic, logger: logger)
        var loop = ProcessingLoop(source: source, settings: try Self.settings(flush: .seconds(3_600)), delivery: delivery,
                                  metrics: metrics, logger: logger)
        queue.publish(Script.tickers(partition: 0, 0..<4).compactMap { try? $0.record.get().event })
        try await loop.step()
        try await loop.step()
        queue.publish(Script.tickers(partition: 0, 4..<10).compactMap { try? $0.record.get().event })
        await loop.drain()
        #expect(writer.lines.count == 10)
        #expect(queue.count == 0)
    }

    @Test("the processor service: graceful shutdown drains, commits and closes the source")
    func serviceShutsDownGracefully() async throws {
        let source = ScriptedSource(polls: [
            SourceBatch(changes: [.assigned(partition: 0, warmupEnd: nil)], messages: Script.tickers(partition: 0, 0..<5)),
        ])
        let writer = GatedWriter()
        let processor = Processor(source: source, settings: try Self.settings(flush: .seconds(3_600), commitInterval: .seconds(3_600)),
                                  writer: writer, deadLetters: CollectedDeadLetters(),
                                  metrics: ProcessorMetrics(metrics: Metrics(), ticksTopic: source.topic), readiness: Readiness(),
                                  logger: Logger(label: "test.processor"))
        try await testGracefulShutdown { trigger in
            let running = Task { try await processor.run() }
            while source.remainingPolls > 0 { try await Task.sleep(for: .milliseconds(5)) }
            trigger.triggerGracefulShutdown()
            try await running.value
        }
        #expect(writer.lines.count == 5)
        #expect(source.commits == [[0: 5]])
        #expect(source.isClosed)
    }
}
