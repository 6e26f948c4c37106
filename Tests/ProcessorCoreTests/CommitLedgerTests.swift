import Testing

@testable import Processor

@Suite("Commit ledger")
struct CommitLedgerTests {
    let start = ContinuousClock.now

    @Test("acknowledged offsets wait for the interval, then are taken together, highest per partition")
    func commitsAtMostOncePerInterval() {
        let ledger = CommitLedger(interval: .seconds(1), start: start)
        #expect(ledger.takeDue(at: start + .seconds(5)) == nil, "nothing acknowledged: nothing to commit")

        ledger.acknowledge([0: 10, 1: 5], messages: 15)
        ledger.acknowledge([0: 20], messages: 10)
        #expect(ledger.takeDue(at: start + .milliseconds(999)) == nil)
        #expect(ledger.pendingMessages == 25)

        let due = ledger.takeDue(at: start + .seconds(1))
        #expect(due?.offsets == [0: 20, 1: 5])
        #expect(due?.messages == 25)
        #expect(ledger.pendingMessages == 0)

        // The interval counts from that commit.
        ledger.acknowledge([1: 9], messages: 4)
        #expect(ledger.takeDue(at: start + .milliseconds(1_500)) == nil)
        #expect(ledger.takeDue(at: start + .seconds(2))?.offsets == [1: 9])
    }

    @Test("a forced take (shutdown) ignores the interval; a zero interval commits every acknowledgement")
    func forcedAndZeroInterval() {
        let ledger = CommitLedger(interval: .seconds(60), start: start)
        ledger.acknowledge([3: 7], messages: 7)
        #expect(ledger.takeDue(at: start) == nil)
        #expect(ledger.takeDue(at: start, force: true)?.offsets == [3: 7])
        #expect(ledger.takeDue(at: start, force: true) == nil, "taken once")

        let eager = CommitLedger(interval: .zero, start: start)
        eager.acknowledge([0: 1], messages: 1)
        #expect(eager.takeDue(at: start)?.offsets == [0: 1])
    }

    @Test("a failed commit gives its offsets back without lowering newer ones; revoked partitions are forgotten")
    func failedCommitAndRevocation() {
        let ledger = CommitLedger(interval: .zero, start: start)
        ledger.acknowledge([0: 10, 1: 10], messages: 20)
        let failed = ledger.takeDue(at: start)
        ledger.acknowledge([0: 15], messages: 5)
        if let failed { ledger.acknowledge(failed.offsets, messages: failed.messages) }
        #expect(ledger.pendingMessages == 25)

        ledger.drop(partitions: [1])
        #expect(ledger.takeDue(at: start)?.offsets == [0: 15])
        ledger.acknowledge([2: 3], messages: 3)
        ledger.drop(partitions: [2])
        #expect(ledger.pendingMessages == 0)
        #expect(ledger.takeDue(at: start, force: true) == nil)
    }
}
