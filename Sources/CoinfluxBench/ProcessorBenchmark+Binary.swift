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

/// (d) and (e): the real `coinflux process` binary, over the backlog, on a live stream, and idle.
extension ProcessorBenchmark {
    /// (d): the real binary into InfluxDB over the backlog; rate from its metrics, peak RSS from /proc.
    static func processBinary(_ binary: String, topic: String, bootstrap: String, influxURL: String, database: String) async throws -> (row: Bench.Row, backlogPeak: Int) {
        try await createDatabase(database, influxURL: influxURL)
        let start = ContinuousClock.now
        let process = try ProcessUnderTest(binary: binary, topic: topic, bootstrap: bootstrap, influxURL: influxURL, database: database)
        defer { process.stop() }  // SIGTERM: the last offsets are committed, where the live run starts
        var firstPoint: ContinuousClock.Instant?
        var written = 0
        while written < events, ContinuousClock.now - start < .seconds(300) {
            try await Task.sleep(for: .milliseconds(100))
            written = await process.pointsWritten()
            if firstPoint == nil, written > 0 { firstPoint = .now }
        }
        let end = ContinuousClock.now
        Bench.record("(d) coinflux process end to end, incl. start and group join", operations: written, seconds: (end - start).seconds, unit: "points")
        let row = Bench.record("(d) coinflux process end to end, from the first write", operations: written,
                               seconds: (end - (firstPoint ?? start)).seconds, unit: "points")
        return (row, process.peakResidentBytes)
    }

    /// The normal case after (d): a fresh `coinflux process` in (d)'s group, starting where (d)
    /// stopped without re-reading a warm-up window, keeps up with a live stream over the same
    /// 2 000 series; its peak RSS.
    static func processLive(_ binary: String, topic: String, bootstrap: String, influxURL: String, database: String) async throws -> Int {
        let process = try ProcessUnderTest(binary: binary, topic: topic, bootstrap: bootstrap, influxURL: influxURL, database: database,
                                           extra: ["processor.warmup_messages=0"])
        defer { process.stop() }
        try await Task.sleep(for: .seconds(5))  // start, join the group, reach the end of every partition
        let live = makeEvents(events..<(events + liveRate * liveSeconds))
        try await produce(live, topic: topic, bootstrap: bootstrap, rate: liveRate)
        let deadline = ContinuousClock.now + .seconds(30)
        var written = 0
        while written < live.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            written = await process.pointsWritten()
        }
        print("  (d) live stream: \(liveRate) events/s for \(liveSeconds) s, \(written) of \(live.count) points written")
        return process.peakResidentBytes
    }

    /// (e): a `coinflux process` with nothing to read, at the end of every partition (after the
    /// live run, in its group): the CPU it and the broker spend over ten seconds. With
    /// `kafka.caught_up_pause=0s` librdkafka re-fetches at once after every empty answer, which
    /// noida-db gives at once.
    static func idleCost(_ binary: String, caughtUpPause: String, topic: String, bootstrap: String,
                                 influxURL: String, database: String) async throws {
        let process = try ProcessUnderTest(binary: binary, topic: topic, bootstrap: bootstrap, influxURL: influxURL, database: database,
                                           extra: ["processor.warmup_messages=0", "kafka.caught_up_pause=\(caughtUpPause)"])
        defer { process.stop() }
        try await Task.sleep(for: .seconds(5))  // start, join the group
        let start = (process: CPUTime.process(process.process.processIdentifier), broker: Broker.cpuSeconds())
        let seconds = 10.0
        try await Task.sleep(for: .seconds(seconds))
        let processShare = 100 * (CPUTime.process(process.process.processIdentifier) - start.process) / seconds
        let brokerShare = 100 * (Broker.cpuSeconds() - start.broker) / seconds
        print(String(format: "  (e) idle coinflux process, kafka.caught_up_pause=%@: %.1f %% of a core, broker %.1f %%",
                     caughtUpPause as NSString, processShare, brokerShare))
    }
}
