import Testing

@testable import ProcessorCore

@Suite("Commit ledger and coverage")
struct CommitLedgerTests {
    let start = ContinuousClock.now

    /// Coverage of `messages` messages per partition (partition → next offset), stored at `time` nanoseconds.
    static func coverage(_ nextOffsets: [Int: Int], time: Int64? = nil, messages: Int) -> Coverage {
        var coverage = Coverage()
        var remaining = messages
        for (partition, next) in nextOffsets.sorted(by: { $0.key < $1.key }) {
            let count = partition == nextOffsets.keys.max() ? remaining : min(remaining, 1)
            for index in 0..<count {
                coverage.add(MessagePosition(partition: partition, offset: next - count + index), timeNanos: time)
            }
            remaining -= count
        }
        return coverage
    }

    @Test("acknowledged offsets wait for the interval, then are taken together, highest per partition")
    func commitsAtMostOncePerInterval() {
        var ledger = CommitLedger(interval: .seconds(1), start: start)
        #expect(ledger.takeDue(at: start + .seconds(5)) == nil, "nothing acknowledged: nothing to commit")

        ledger.acknowledge(Self.coverage([0: 10, 1: 5], messages: 15))
        ledger.acknowledge(Self.coverage([0: 20], messages: 10))
        #expect(ledger.takeDue(at: start + .milliseconds(999)) == nil)
        #expect(ledger.pendingMessages == 25)

        let due = ledger.takeDue(at: start + .seconds(1))
        #expect(due?.nextOffsets == [0: 20, 1: 5])
        #expect(due?.messages == 25)
        #expect(ledger.pendingMessages == 0)

        // The interval counts from that commit.
        ledger.acknowledge(Self.coverage([1: 9], messages: 4))
        #expect(ledger.takeDue(at: start + .milliseconds(1_500)) == nil)
        #expect(ledger.takeDue(at: start + .seconds(2))?.nextOffsets == [1: 9])
    }

    @Test("a forced take (shutdown) ignores the interval; a zero interval commits every acknowledgement")
    func forcedAndZeroInterval() {
        var ledger = CommitLedger(interval: .seconds(60), start: start)
        ledger.acknowledge(Self.coverage([3: 7], messages: 7))
        #expect(ledger.takeDue(at: start) == nil)
        #expect(ledger.takeDue(at: start, force: true)?.nextOffsets == [3: 7])
        #expect(ledger.takeDue(at: start, force: true) == nil, "taken once")

        var eager = CommitLedger(interval: .zero, start: start)
        eager.acknowledge(Self.coverage([0: 1], messages: 1))
        #expect(eager.takeDue(at: start)?.nextOffsets == [0: 1])
    }

    @Test("a failed commit gives its offsets back without lowering newer ones; revoked partitions are forgotten")
    func failedCommitAndRevocation() {
        var ledger = CommitLedger(interval: .zero, start: start)
        ledger.acknowledge(Self.coverage([0: 10, 1: 10], messages: 20))
        let failed = ledger.takeDue(at: start)
        ledger.acknowledge(Self.coverage([0: 15], messages: 5))
        if let failed { ledger.acknowledge(failed) }
        #expect(ledger.pendingMessages == 25)

        ledger.drop(partitions: [1])
        #expect(ledger.takeDue(at: start)?.nextOffsets == [0: 15])
        ledger.acknowledge(Self.coverage([2: 3], messages: 3))
        ledger.drop(partitions: [2])
        #expect(ledger.pendingMessages == 0)
        #expect(ledger.takeDue(at: start, force: true) == nil)
    }

    @Test("coverage keeps the oldest message time and the highest next offset per partition")
    func coverageMerges() {
        var first = Coverage()
        first.add(MessagePosition(partition: 0, offset: 4), timeNanos: 200)
        first.add(MessagePosition(partition: 0, offset: 5), timeNanos: 300)
        first.add(MessagePosition(partition: 1, offset: 9), timeNanos: nil)
        var second = Coverage()
        second.add(MessagePosition(partition: 0, offset: 6), timeNanos: 100)
        first.merge(second)
        #expect(first.nextOffsets == [0: 7, 1: 10])
        #expect(first.oldestTimes == [0: 100])
        #expect(first.messages == 4)
        first.keep(only: [1])
        #expect(first.nextOffsets == [1: 10])
        #expect(first.oldestTimes.isEmpty)
    }
}
