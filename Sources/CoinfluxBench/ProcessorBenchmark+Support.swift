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

/// A release `coinflux process` reading the benchmark topic into an InfluxDB database, with its
/// metrics on a port of its own.
final class ProcessUnderTest {
    let process = Process()
    let port = 19_000 + Int.random(in: 0..<1_000)

    /// - Parameter extra: more `--set key=value` settings.
    init(binary: String, topic: String, bootstrap: String, influxURL: String, database: String, extra: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        let settings = ["kafka.brokers=\(bootstrap)", "kafka.ticks_topic=\(topic)", "kafka.fx_topic=\(topic).fx",
                        "kafka.deadletter_topic=\(topic).dead", "influxdb.url=\(influxURL)", "influxdb.database=\(database)",
                        "processor.group=bench-\(database)", "telemetry.listen=127.0.0.1:\(port)", "log.level=warning"] + extra
        process.arguments = ["process"] + settings.flatMap { ["--set", $0] }
        // As the image runs it (Dockerfile).
        process.environment = ProcessInfo.processInfo.environment.merging(["MALLOC_ARENA_MAX": "2"]) { _, image in image }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// `coinflux_influxdb_points_written_total`, 0 until the metrics answer.
    func pointsWritten() async -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"),
              let (data, _) = try? await URLSession.shared.data(from: url) else { return 0 }
        let name = "coinflux_influxdb_points_written_total "
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix(name) }.flatMap { Double($0.dropFirst(name.count)) }.map { Int($0) } ?? 0
    }

    /// VmHWM, the peak resident set so far.
    var peakResidentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// CPU spent per message by a consumer and by the broker (its process group, from
/// `COINFLUX_TEST_KAFKA_PGID`) between creation and ``report()``: the machine's two cores are
/// shared by both, so this, not only the wall-clock rate, says what a consumer costs.
struct CPUCost {
    /// Where the consumer runs.
    enum Consumer {
        /// Threads of this process (the processor of (c)).
        case thisProcess
        /// Child processes run to completion (kcat).
        case childProcesses

        var seconds: Double {
            switch self {
            case .thisProcess: CPUTime.thisProcess()
            case .childProcesses: CPUTime.waitedChildren()
            }
        }
    }

    let consumer: Consumer
    let messages: Int
    let consumerStart: Double
    let brokerStart: Double

    init(consumer: Consumer, messages: Int) {
        self.consumer = consumer
        self.messages = messages
        consumerStart = consumer.seconds
        brokerStart = Broker.cpuSeconds()
    }

    /// "CPU per message X µs in the consumer, Y µs in the broker", since creation.
    func summary() -> String {
        var text = String(format: "CPU per message %.2f µs in the consumer", 1e6 * (consumer.seconds - consumerStart) / Double(messages))
        if Broker.processGroup != nil {
            text += String(format: ", %.2f µs in the broker", 1e6 * (Broker.cpuSeconds() - brokerStart) / Double(messages))
        }
        return text
    }
}

struct BenchError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// A writer that acknowledges at once and counts the lines: the processor without the database.
final class DiscardingWriter: PointWriter {
    private let count = Atomic<Int>(0)
    var lines: Int { count.load(ordering: .relaxed) }
    var health: WriterHealth { .healthy }

    func write(_ batch: LineBatch) async throws(CancellationError) -> WriteOutcome {
        count.add(batch.count, ordering: .relaxed)
        return WriteOutcome(writtenLines: batch.count)
    }
}

struct DiscardingDeadLetters: DeadLetterSink {
    func send(_ letter: DeadLetter) {}
    func flush() async throws(CancellationError) {}
}
