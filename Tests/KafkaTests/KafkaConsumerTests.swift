import Foundation
import Kafka
import Synchronization
import Testing
import TestSupport

@Suite("Kafka consumer group against a real broker", .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
struct KafkaConsumerTests {
    @Test("a group of two consumers gets every message exactly once, in order per key")
    func twoConsumersExactlyOnceInOrder() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 6, prefix: "group")
        let group = KafkaTest.uniqueName("group")
        let consumers = try [KafkaTest.consumer(group: group), KafkaTest.consumer(group: group)]
        let events = Shared<[KafkaRebalanceEvent]>([])
        for consumer in consumers {
            try consumer.subscribe(topics: [topic]) { event in events.withLock { $0.append(event) } }
        }

        // Both members poll until the group has settled: 3 + 3 partitions, disjoint.
        let settled = Shared(false)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for consumer in consumers {
                tasks.addTask {
                    while !settled.withLock({ $0 }) {
                        let messages = try await consumer.poll(timeout: .milliseconds(50))
                        #expect(messages.isEmpty)
                    }
                }
            }
            tasks.addTask {
                defer { settled.withLock { $0 = true } }
                try await KafkaTest.wait("two members sharing 6 partitions") {
                    let assignments = try consumers.map { Set(try $0.assignment()) }
                    return assignments.allSatisfy { $0.count == 3 } && assignments[0].union(assignments[1]).count == 6
                }
            }
            try await tasks.waitForAll()
        }
        #expect(events.withLock { $0 }.contains { $0.kind == .assigned && $0.partitions.count == 3 })

        let keys = 24
        let perKey = 1_000
        // Message i is number i / keys of key i % keys.
        try await KafkaTest.produce(0..<keys * perKey, to: topic, key: { "k\($0 % keys)" }, value: { "k\($0 % keys):\($0 / keys)" })

        let total = keys * perKey
        let receivedCount = Shared(0)
        let received = try await withThrowingTaskGroup(of: [KafkaMessage].self) { tasks in
            for consumer in consumers {
                tasks.addTask {
                    var mine: [KafkaMessage] = []
                    let deadline = ContinuousClock.now + .seconds(60)
                    while receivedCount.withLock({ $0 }) < total, ContinuousClock.now < deadline {
                        let batch = try await consumer.poll(maximumMessages: 5_000, timeout: .milliseconds(100))
                        mine += batch
                        receivedCount.withLock { $0 += batch.count }
                        if let last = batch.last {
                            try await consumer.commit([last.nextOffset])
                        }
                    }
                    return mine
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }

        // Every (key, sequence) exactly once; per key, sequences arrive in order, all at one member.
        var sequences: [String: [Int]] = [:]
        var owner: [String: Int] = [:]
        for (member, messages) in received.enumerated() {
            for message in messages {
                let parts = message.value.description.split(separator: ":")
                let key = String(parts[0])
                #expect(message.key?.description == key)
                sequences[key, default: []].append(Int(parts[1]) ?? -1)
                #expect(owner.updateValue(member, forKey: key) ?? member == member)
            }
        }
        #expect(received.map(\.count).reduce(0, +) == total)
        #expect(received.allSatisfy { !$0.isEmpty })
        #expect(sequences.count == keys)
        for (key, values) in sequences {
            #expect(values == Array(0..<perKey), "key \(key)")
        }
        for consumer in consumers {
            try await consumer.close()
        }
    }

    @Test("a member joining mid-stream: nothing lost, re-reads only where the broker refused a commit")
    func memberJoinsMidStream() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 6, prefix: "join")
        let group = KafkaTest.uniqueName("join")
        let total = 12_000
        try await KafkaTest.produce(0..<total, to: topic, key: { "k\($0 % 24)" }, value: { "\($0)" })

        let first = try KafkaTest.consumer(group: group)
        let second = try KafkaTest.consumer(group: group)
        let firstEvents = Shared<[KafkaRebalanceEvent]>([])
        try first.subscribe(topics: [topic]) { event in firstEvents.withLock { $0.append(event) } }
        let seen = Shared<[Int: Int]>([:])
        let uncommitted = Shared(0)  // messages whose commit the broker refused (rebalance)

        // Each member processes slowly (10 ms per 100 messages) and commits after every batch; the
        // second joins once the first is under way, which revokes half of the first's partitions.
        @Sendable func run(_ consumer: KafkaConsumer) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while seen.withLock({ $0.count }) < total, ContinuousClock.now < deadline, !Task.isCancelled {
                let batch = try await consumer.poll(maximumMessages: 100, timeout: .milliseconds(50))
                guard !batch.isEmpty else { continue }
                seen.withLock { seen in
                    for message in batch { seen[Int(message.value.description) ?? -1, default: 0] += 1 }
                }
                try await Task.sleep(for: .milliseconds(10))
                let next = Dictionary(batch.map { ($0.topicPartition, $0.nextOffset) }) { $0.offset > $1.offset ? $0 : $1 }
                do {
                    try await consumer.commit(Array(next.values))
                } catch let error as KafkaError where error.code == .rebalanceInProgress {
                    uncommitted.withLock { $0 += batch.count }
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await run(first) }
            tasks.addTask {
                try await KafkaTest.wait("the first member to start") { seen.withLock { !$0.isEmpty } }
                try second.subscribe(topics: [topic])
                try await run(second)
            }
            try await tasks.waitForAll()
        }

        let counts = seen.withLock { $0 }
        let reread = counts.values.reduce(0) { $0 + $1 - 1 }
        #expect(Set(counts.keys) == Set(0..<total))
        #expect(reread <= uncommitted.withLock { $0 }, "re-read \(reread), refused commits covered \(uncommitted.withLock { $0 })")
        // noida-db answers the old generation with ILLEGAL_GENERATION, which librdkafka reports as "lost".
        let events = firstEvents.withLock { $0 }
        #expect(events.contains { $0.kind == .revoked || $0.kind == .lost }, "\(events)")
        try await first.close()
        try await second.close()
    }

    @Test("after a commit and a restart, consumption resumes at the committed offset, or before it when rewound")
    func resumesAtCommittedOffset() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 1, prefix: "restart")
        let group = KafkaTest.uniqueName("restart")
        try await KafkaTest.produce(0..<100, to: topic, key: { _ in nil }, value: { "m\($0)" })
        let partition = KafkaTopicPartition(topic: topic, partition: 0)

        let first = try KafkaTest.consumer(group: group)
        try first.subscribe(topics: [topic])
        let early = try await KafkaTest.poll(first) { $0.count >= 40 }
        #expect(early.prefix(40).map(\.offset) == Array(0..<40))
        try await first.commit([early[39].nextOffset])
        #expect(try await first.committed([partition]) == [partition: 40])
        try await first.close()

        let second = try KafkaTest.consumer(group: group)
        try second.subscribe(topics: [topic])
        let rest = try await KafkaTest.poll(second) { $0.count >= 60 }
        #expect(rest.map(\.offset) == Array(40..<100))
        #expect(rest.first?.value.description == "m40")
        try await second.close()

        // Rewound by 15: reading starts at 25, and the assignment says where the new messages begin.
        let third = try KafkaTest.consumer(group: group)
        let events = Shared<[KafkaRebalanceEvent]>([])
        try third.subscribe(topics: [topic], rewind: 15) { event in events.withLock { $0.append(event) } }
        let rewound = try await KafkaTest.poll(third) { $0.count >= 75 }
        #expect(rewound.map(\.offset) == Array(25..<100))
        let assigned = events.withLock { $0 }.first { $0.kind == .assigned }
        #expect(assigned?.rewound == [partition: 25..<40])
        try await third.close()

        // A rewind longer than the partition stops at the low watermark.
        let fourth = try KafkaTest.consumer(group: group)
        try fourth.subscribe(topics: [topic], rewind: 1_000)
        let whole = try await KafkaTest.poll(fourth) { $0.count >= 100 }
        #expect(whole.map(\.offset) == Array(0..<100))
        try await fourth.close()
    }

    @Test("seek moves the read position back")
    func seekRereads() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 1, prefix: "seek")
        try await KafkaTest.produce(0..<20, to: topic, key: { _ in nil }, value: { "m\($0)" })

        let consumer = try KafkaTest.consumer(group: KafkaTest.uniqueName("seek"))
        try consumer.subscribe(topics: [topic])
        let all = try await KafkaTest.poll(consumer) { $0.count >= 20 }
        #expect(all.map(\.offset) == Array(0..<20))

        try await consumer.seek([KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: 5)])
        let again = try await KafkaTest.poll(consumer) { $0.count >= 15 }
        #expect(again.map(\.offset) == Array(5..<20))
        try await consumer.close()
    }

    @Test("offsets for times finds the first message stored at or after a time")
    func offsetsForTimes() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 1, prefix: "times")
        let producer = try KafkaTest.producer()
        for index in 0..<10 {
            try producer.send(topic: topic, key: nil, value: Array("early\(index)".utf8))
        }
        try await producer.flush(timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(300))
        let between = Int(Date().timeIntervalSince1970 * 1_000)
        try await Task.sleep(for: .milliseconds(300))
        for index in 0..<10 {
            try producer.send(topic: topic, key: nil, value: Array("late\(index)".utf8))
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()

        let consumer = try KafkaTest.consumer(group: KafkaTest.uniqueName("times"))
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        #expect(try await consumer.offsets(forTimes: [partition: between]) == [partition: 10])
        #expect(try await consumer.offsets(forTimes: [partition: 0]) == [partition: 0])
        #expect(try await consumer.offsets(forTimes: [partition: between + 3_600_000]).isEmpty, "no message that new")
        try await consumer.close()
    }

    @Test("a partition paused when the group takes it away fetches again when it is assigned anew (librdkafka keeps the pause)")
    func pausedPartitionReassigned() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 2, prefix: "repause")
        let group = KafkaTest.uniqueName("repause")
        let first = try KafkaTest.consumer(group: group)
        try first.subscribe(topics: [topic])
        try await KafkaTest.poll(first) { _ in try first.assignment().count == 2 }
        try first.pause(try first.assignment())

        // A second member joins (both partitions are revoked from the first) and leaves again;
        // both keep polling, which is where their rebalances happen.
        let second = try KafkaTest.consumer(group: group)
        try second.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + .seconds(30)
        while try second.assignment().isEmpty || first.assignment().count != 1, ContinuousClock.now < deadline {
            _ = try await first.poll(timeout: .milliseconds(50))
            _ = try await second.poll(timeout: .milliseconds(50))
        }
        #expect(try second.assignment().count == 1, "the group did not share the partitions")
        async let leaving: Void = second.close()
        try await KafkaTest.poll(first) { _ in try first.assignment().count == 2 }
        try await leaving

        try await KafkaTest.produce(0..<20, to: topic, key: { "key-\($0)" }, value: { "\($0)" })
        let received = try await KafkaTest.poll(first, timeout: .seconds(20)) { Set($0.map(\.partition)).count == 2 }
        #expect(Set(received.map(\.partition)) == [0, 1], "a partition stayed paused after its new assignment")
        try await first.close()
    }

    @Test("a paused partition delivers nothing until it is resumed")
    func pauseAndResume() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 2, prefix: "pause")
        let consumer = try KafkaTest.consumer(group: KafkaTest.uniqueName("pause"))
        try consumer.subscribe(topics: [topic])
        try await KafkaTest.poll(consumer) { _ in try consumer.assignment().count == 2 }
        let paused = KafkaTopicPartition(topic: topic, partition: 0)
        try consumer.pause([paused])

        try await produce(2_000, to: topic)
        let pausedCount = try await consumer.queryWatermarks(topic: topic, partition: 0).high
        let otherCount = try await consumer.queryWatermarks(topic: topic, partition: 1).high
        #expect(pausedCount > 0 && otherCount > 0)
        #expect(pausedCount + otherCount == 2_000)

        // Everything of partition 1 arrives; then, for a further second, nothing at all.
        let whilePaused = try await KafkaTest.poll(consumer) { $0.count >= otherCount }
        let quietUntil = ContinuousClock.now + .seconds(1)
        var late: [KafkaMessage] = []
        while ContinuousClock.now < quietUntil {
            late += try await consumer.poll(timeout: .milliseconds(100))
        }
        #expect(whilePaused.allSatisfy { $0.partition == 1 })
        #expect(whilePaused.count == otherCount)
        #expect(late.isEmpty)

        try consumer.resume([paused])
        let afterResume = try await KafkaTest.poll(consumer) { $0.count >= pausedCount }
        #expect(afterResume.allSatisfy { $0.partition == 0 })
        #expect(afterResume.map(\.offset) == Array(0..<pausedCount))
        try await consumer.close()
    }

    @Test("a caught-up consumer rests its partitions instead of re-fetching in a tight loop, and still gets new messages")
    func caughtUpPartitionsRest() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 3, prefix: "rest")
        let requests = RequestCounter()
        let consumer = try KafkaTest.consumer(group: KafkaTest.uniqueName("rest"), statistics: requests.record)
        try consumer.subscribe(topics: [topic])
        try await KafkaTest.poll(consumer) { _ in try consumer.assignment().count == 3 }

        // At the end of three empty partitions. A broker that answers empty fetches at once
        // (noida-db) would otherwise be asked some 20 000 times a second.
        let perSecond = try await requests.perSecondWhileIdle(consumer)
        #expect(perSecond < 500, "requests per second while caught up: \(perSecond)")

        // Messages produced now arrive at once, resting or not.
        try await produce(300, to: topic)
        let produced = ContinuousClock.now
        let received = try await KafkaTest.poll(consumer, timeout: .seconds(10)) { $0.count >= 300 }
        #expect(received.count == 300)
        #expect(ContinuousClock.now - produced < .seconds(2))
        try await consumer.close()
    }

    @Test("a member that starts at its group's committed end of partitions holding messages rests as well")
    func restsWhenStartingAtTheEnd() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 3, prefix: "rest-end")
        let group = KafkaTest.uniqueName("rest-end")
        try await produce(300, to: topic)
        let first = try KafkaTest.consumer(group: group)
        try first.subscribe(topics: [topic])
        let read = try await KafkaTest.poll(first) { $0.count >= 300 }
        let ends = Dictionary(read.map { ($0.partition, $0.nextOffset) }) { earlier, later in earlier.offset > later.offset ? earlier : later }
        try await first.commit(Array(ends.values))
        try await first.close()

        // Nothing to return: no position, only librdkafka's report of each partition's end.
        let requests = RequestCounter()
        let second = try KafkaTest.consumer(group: group, statistics: requests.record)
        try second.subscribe(topics: [topic])
        try await KafkaTest.poll(second) { _ in try second.assignment().count == 3 }
        let perSecond = try await requests.perSecondWhileIdle(second)
        #expect(perSecond < 500, "requests per second while caught up: \(perSecond)")

        try await produce(30, to: topic)
        let more = try await KafkaTest.poll(second, timeout: .seconds(10)) { $0.count >= 30 }
        #expect(more.count == 30)
        #expect(more.allSatisfy { $0.offset >= ends[$0.partition]?.offset ?? 0 })
        try await second.close()
    }

    private func produce(_ count: Int, to topic: String) async throws {
        try await KafkaTest.produce(0..<count, to: topic, key: { "key-\($0 % 16)" }, value: { "\($0)" })
    }

    @Test("lag is the high watermark minus the committed offset")
    func lagIsHighWatermarkMinusCommitted() async throws {
        let topic = try await KafkaTest.createTopic(partitions: 3, prefix: "lag")
        try await KafkaTest.produce(0..<900, to: topic, key: { "key-\($0 % 30)" }, value: { "\($0)" })

        let statistics = Shared(0)
        let consumer = try KafkaTest.consumer(group: KafkaTest.uniqueName("lag")) { report in
            if report.summary?.name != nil { statistics.withLock { $0 += 1 } }
        }
        try consumer.subscribe(topics: [topic])
        let messages = try await KafkaTest.poll(consumer) { $0.count >= 900 }
        let partitions = (0..<3).map { KafkaTopicPartition(topic: topic, partition: $0) }
        let high = Dictionary(grouping: messages, by: \.partition).mapValues { $0.count }
        let half = (high[1] ?? 0) / 2
        // Partition 0 fully committed, partition 1 half, partition 2 not at all.
        try await consumer.commit([
            KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: high[0] ?? 0),
            KafkaTopicPartitionOffset(topic: topic, partition: 1, offset: half),
        ])

        let lags = try await consumer.lag(for: partitions)
        let byPartition = Dictionary(uniqueKeysWithValues: lags.map { ($0.topicPartition.partition, $0) })
        #expect(byPartition[0]?.committed == high[0])
        #expect(byPartition[0]?.lag == 0)
        #expect(byPartition[1]?.committed == half)
        #expect(byPartition[1]?.lag == (high[1] ?? 0) - half)
        #expect(byPartition[2]?.committed == nil)
        #expect(byPartition[2]?.lag == high[2])
        for lag in lags {
            #expect(lag.watermarks.high == high[lag.topicPartition.partition])
            #expect(lag.lag == lag.watermarks.high - (lag.committed ?? lag.watermarks.low))
        }
        #expect(try await consumer.lag().count == 3)  // the assignment
        try await KafkaTest.poll(consumer) { _ in statistics.withLock { $0 } > 0 }
        try await consumer.close()
    }
}

/// Requests a client sent to brokers, from its statistics reports (`tx`).
private final class RequestCounter: Sendable {
    private let reports = Mutex<[(ContinuousClock.Instant, Int)]>([])

    func record(_ statistics: KafkaStatistics) {
        if let sent = statistics.summary?.requests { reports.withLock { $0.append((.now, sent)) } }
    }

    /// Polls `consumer` for two seconds, expecting nothing; returns the requests per second meanwhile.
    func perSecondWhileIdle(_ consumer: KafkaConsumer) async throws -> Double {
        let start = reports.withLock { $0.count }
        let quietUntil = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < quietUntil {
            #expect(try await consumer.poll(timeout: .milliseconds(100)).isEmpty)
        }
        let window = reports.withLock { Array($0[max(0, start - 1)...]) }
        guard let first = window.first, let last = window.last, last.0 > first.0 else { return .infinity }
        return Double(last.1 - first.1) / ((last.0 - first.0) / .seconds(1))
    }
}
