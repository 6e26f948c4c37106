import Foundation
import Kafka
import Logging
import Synchronization

/// Kafka throughput of the `Kafka` module beside `kcat` (same librdkafka, same broker, same
/// messages): produce N keyed ~190-byte messages to a 6-partition topic, consume them with a group
/// consumer in batches. Needs `kcat` on the PATH and a broker at `bootstrap`.
/// `COINFLUX_BENCH_KAFKA_MESSAGES` overrides N (default 500 000).
enum KafkaBenchmark {
    static func run(bootstrap: String) async throws {
        let count = ProcessInfo.processInfo.environment["COINFLUX_BENCH_KAFKA_MESSAGES"].flatMap(Int.init) ?? 500_000
        let runs = 3
        let messages = Messages(count: count)
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: [bootstrap]), logger: logger)
        let prefix = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        print("Kafka: \(count) keyed messages of \(messages.valueSize) bytes, 6 partitions, broker \(bootstrap), best of \(runs)")

        // Produce: each run into a fresh topic; the first run's topic is then consumed.
        var produceTopics: [String] = []
        var ourProduce = Double.infinity
        for run in 0..<runs {
            let topic = "\(prefix)-produce-\(run)"
            try await admin.createTopic(topic, partitions: 6)
            produceTopics.append(topic)
            ourProduce = min(ourProduce, try await produce(messages, to: topic, bootstrap: bootstrap))
        }
        let oursProduced = Bench.record("kafka produce: coinflux KafkaProducer (lz4, idempotent)", operations: count, seconds: ourProduce, unit: "msg")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).kcat")
        try messages.kcatInput().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var kcatRun = 0
        var kcatTopics: [String] = []
        for run in 0..<runs {
            let topic = "\(prefix)-kcat-\(run)"
            try await admin.createTopic(topic, partitions: 6)
            kcatTopics.append(topic)
        }
        let kcatProduced = try Bench.measure("kafka produce: kcat -P (same settings)", operations: count, unit: "msg", runs: runs) {
            defer { kcatRun += 1 }
            try kcat([
                "-P", "-b", bootstrap, "-t", kcatTopics[kcatRun % runs], "-K:", "-z", "lz4", "-l",
                "-X", "enable.idempotence=true", "-X", "acks=all", "-X", "linger.ms=5",
                file.path,
            ])
        }
        Bench.ratio("coinflux produce / kcat produce", oursProduced, kcatProduced)

        // Consume the first produced topic from the beginning: a new group each run. Our consumer is
        // a group member, so its time includes joining the group (the broker holds JoinGroup for a
        // while); it is shown apart, and kcat as a group member (-G) is shown too.
        var ourConsume = (total: Double.infinity, afterJoin: Double.infinity)
        for _ in 0..<runs {
            Broker.waitUntilQuiet(before: "the consume run")
            let run = try await consume(count, from: produceTopics[0], bootstrap: bootstrap)
            ourConsume = (min(ourConsume.total, run.total), min(ourConsume.afterJoin, run.afterJoin))
        }
        let oursConsumed = Bench.record("kafka consume: coinflux KafkaConsumer.poll (incl. group join)", operations: count, seconds: ourConsume.total, unit: "msg")
        let oursAfterJoin = Bench.record("kafka consume: coinflux KafkaConsumer.poll (after assignment)", operations: count, seconds: ourConsume.afterJoin, unit: "msg")
        Broker.waitUntilQuiet(before: "kcat -C")
        let kcatConsumed = try Bench.measure("kafka consume: kcat -C -e -q -o beginning > /dev/null", operations: count, unit: "msg", runs: runs) {
            try kcat(["-C", "-b", bootstrap, "-t", produceTopics[0], "-e", "-q", "-o", "beginning"])
        }
        let kcatGroup = try Bench.measure("kafka consume: kcat -G (group member) -e -q > /dev/null", operations: count, unit: "msg", runs: runs) {
            try kcat([
                "-b", bootstrap, "-G", "\(prefix)-kcat-\(UUID().uuidString.prefix(8))", "-X", "auto.offset.reset=earliest",
                "-e", "-q", produceTopics[0],
            ])
        }
        Bench.ratio("coinflux consume (incl. join) / kcat -C (goal >= 80 %)", oursConsumed, kcatConsumed)
        Bench.ratio("coinflux consume (after assignment) / kcat -C", oursAfterJoin, kcatConsumed)
        Bench.ratio("coinflux consume (incl. join) / kcat -G (both group members)", oursConsumed, kcatGroup)
    }

    private static let logger: Logger = {
        var logger = Logger(label: "coinflux.bench.kafka")
        logger.logLevel = .warning
        return logger
    }()

    /// Sends every message, waiting briefly whenever the local queue is full, then flushes. Returns seconds.
    private static func produce(_ messages: Messages, to topic: String, bootstrap: String) async throws -> Double {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [bootstrap]), logger: logger)
        let start = ContinuousClock.now
        var index = 0
        while index < messages.count {
            do {
                try messages.withMessage(index) { key, value in
                    try producer.send(topic: topic, key: key, value: value)
                }
                index += 1
            } catch let error as KafkaError where error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        try await producer.flush(timeout: .seconds(120))
        let seconds = (ContinuousClock.now - start).seconds
        let counters = producer.counters
        await producer.close()
        guard counters.delivered == messages.count, counters.failed == 0 else {
            throw KafkaError(code: .rdKafka, message: "benchmark produce incomplete: \(counters)")
        }
        return seconds
    }

    /// Reads `count` messages with a new group. Returns the seconds from subscribe to the last message,
    /// and from the assignment to the last message.
    private static func consume(_ count: Int, from topic: String, bootstrap: String) async throws -> (total: Double, afterJoin: Double) {
        let group = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: [bootstrap], groupID: group), logger: logger)
        let assigned = Assigned()
        let start = ContinuousClock.now
        try consumer.subscribe(topics: [topic]) { event in
            if event.kind == .assigned { assigned.mark() }
        }
        var received = 0
        var bytes = 0
        while received < count {
            let batch = try await consumer.poll(maximumMessages: 1_000, timeout: .milliseconds(100))
            received += batch.count
            for message in batch {
                bytes &+= message.value.count
            }
            guard ContinuousClock.now - start < .seconds(120) else {
                throw KafkaError(code: .timedOut, message: "benchmark consume got \(received) of \(count) messages")
            }
        }
        let end = ContinuousClock.now
        Bench.blackHole(bytes)
        try await consumer.close()
        return ((end - start).seconds, (end - (assigned.instant ?? start)).seconds)
    }

    /// Runs kcat to completion with stdout to /dev/null; throws on a non-zero exit.
    static func kcat(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kcat"] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KafkaError(code: .rdKafka, message: "kcat \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }
}

/// When the benchmark consumer got its partitions (set from the rebalance handler).
private final class Assigned: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)

    func mark() {
        value.withLock { $0 = $0 ?? .now }
    }

    var instant: ContinuousClock.Instant? { value.withLock { $0 } }
}

/// N keyed messages shaped like coinflux ticks: key = base asset, value = ~190 bytes of JSON.
private struct Messages {
    static let assets = ["BTC", "ETH", "XRP", "SOL", "DOGE", "ADA", "TRX", "AVAX", "LINK", "DOT", "MATIC", "LTC"]
    let count: Int
    let valueSize = 190
    private let values: [UInt8]

    init(count: Int) {
        self.count = count
        var values: [UInt8] = []
        values.reserveCapacity(count * valueSize)
        for index in 0..<count {
            let asset = Self.assets[index % Self.assets.count]
            var json = "{\"v\":1,\"ex\":\"binance\",\"sym\":\"\(asset)-USDT\",\"kind\":\"ticker\",\"px\":\"\(60_000 + index % 1000).25\","
                + "\"qty\":\"0.\(index % 97)\",\"chg\":\"0.0123\",\"ts\":\(1_700_000_000_000 + index),\"seq\":\(index)"
            json += String(repeating: " ", count: max(0, valueSize - 1 - json.utf8.count)) + "}"
            values += json.utf8.prefix(valueSize)
        }
        self.values = values
    }

    func withMessage<Result>(_ index: Int, _ body: (String, UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try values.withUnsafeBytes { all in
            try body(Self.assets[index % Self.assets.count], UnsafeRawBufferPointer(rebasing: all[index * valueSize..<(index + 1) * valueSize]))
        }
    }

    /// `KEY:VALUE` lines for `kcat -P -K: -l`.
    func kcatInput() -> Data {
        var data = Data(capacity: count * (valueSize + 8))
        for index in 0..<count {
            withMessage(index) { key, value in
                data.append(contentsOf: key.utf8)
                data.append(UInt8(ascii: ":"))
                data.append(contentsOf: value)
                data.append(UInt8(ascii: "\n"))
            }
        }
        return data
    }
}
