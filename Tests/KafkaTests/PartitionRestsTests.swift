@testable import Kafka
import Testing

/// The bookkeeping behind resting caught-up partitions; no broker needed.
@Suite("Resting caught-up partitions")
struct PartitionRestsTests {
    let first = KafkaTopicPartition(topic: "t", partition: 0)
    let second = KafkaTopicPartition(topic: "t", partition: 1)

    @Test("caught up: next offset at the last seen high watermark; unknown is not caught up")
    func caughtUp() {
        #expect(PartitionRests.caughtUpOffset(nextOffset: 10, highWatermark: 10) == 10)
        #expect(PartitionRests.caughtUpOffset(nextOffset: 11, highWatermark: 10) == 11)
        #expect(PartitionRests.caughtUpOffset(nextOffset: 9, highWatermark: 10) == nil)
        // No fetch answer yet, or nothing returned and no end reported: keep fetching.
        #expect(PartitionRests.caughtUpOffset(nextOffset: 10, highWatermark: nil) == nil)
        #expect(PartitionRests.caughtUpOffset(nextOffset: nil, highWatermark: 0) == nil)
    }

    @Test("a partition that returned nothing is caught up where librdkafka reported its end")
    func caughtUpAtReportedEnd() {
        var rests = PartitionRests(pause: .milliseconds(20))
        #expect(rests.caughtUpOffset(first, position: nil, highWatermark: 500) == nil)
        rests.reachedEnds([first: 500, second: 0])
        #expect(rests.caughtUpOffset(first, position: nil, highWatermark: 500) == 500)
        #expect(rests.caughtUpOffset(second, position: nil, highWatermark: 0) == 0)
        // Once messages were returned, the position counts.
        #expect(rests.caughtUpOffset(first, position: 480, highWatermark: 500) == nil)
        // Ends of partitions no longer assigned are forgotten.
        rests.keepOnly([second])
        #expect(rests.caughtUpOffset(first, position: nil, highWatermark: 500) == nil)
    }

    @Test("a rest lasts while the broker has nothing beyond where the partition stopped")
    func restLastsUntilNewMessages() {
        var rests = PartitionRests(pause: .milliseconds(20))
        let now = ContinuousClock.now
        rests.rest([first: 10], now: now)
        rests.rest([second: 0], now: now + .milliseconds(5))
        #expect(rests.nextWake == now + .milliseconds(20))
        #expect(rests.restable([first, second]).isEmpty)
        #expect(rests.due(now: now + .milliseconds(19)).isEmpty)

        let checked = now + .milliseconds(20)
        #expect(rests.due(now: checked) == [first])
        // Still at 10: rests another pause.
        #expect(rests.settle([first], latest: [first: 10], now: checked).isEmpty)
        #expect(rests.nextWake == now + .milliseconds(25))

        let later = now + .milliseconds(40)
        #expect(Set(rests.due(now: later)) == [first, second])
        // A message at 10 ends the first rest; the second partition's offset is unknown (an error): fetch.
        #expect(Set(rests.settle([first, second], latest: [first: 11], now: later)) == [first, second])
        #expect(rests.nextWake == nil)
        #expect(rests.restable([first, second]) == [first, second])
        // Awakened at 11: librdkafka's older watermark (10) must not start another rest.
        #expect(rests.caughtUpOffset(first, position: 10, highWatermark: 10) == nil)
        #expect(rests.caughtUpOffset(first, position: 11, highWatermark: 11) == 11)
    }

    @Test("a seek ends the rest of a partition (it fetches from its new position), not the application's pause")
    func seekEndsRests() {
        var rests = PartitionRests(pause: .milliseconds(20))
        let now = ContinuousClock.now
        rests.reachedEnds([first: 20])
        rests.rest([first: 20], now: now)
        rests.applicationPaused([second])
        #expect(rests.moved([first, second]) == [first])
        #expect(rests.due(now: now + .seconds(1)).isEmpty)
        // Its old end no longer says where it is.
        #expect(rests.caughtUpOffset(first, position: nil, highWatermark: 20) == nil)
        #expect(rests.restable([first, second]) == [first])
        #expect(rests.moved([first]).isEmpty)
    }

    @Test("an application pause wins: never rested, never resumed by a rest")
    func applicationPauseWins() {
        var rests = PartitionRests(pause: .milliseconds(20))
        let now = ContinuousClock.now
        rests.rest([first: 3], now: now)
        rests.applicationPaused([first])
        #expect(rests.due(now: now + .seconds(1)).isEmpty)
        #expect(rests.settle([first], latest: [:], now: now + .seconds(1)).isEmpty)
        #expect(rests.restable([first, second]) == [second])
        // A rest decided just before the application paused the partition does not stick.
        rests.rest([first: 3], now: now)
        #expect(rests.due(now: now + .seconds(1)).isEmpty)

        rests.applicationResumed([first])
        #expect(rests.restable([first, second]) == [first, second])
    }

    @Test("a partition waiting for its first fetch answer is looked at again soon")
    func recheckSoon() {
        var rests = PartitionRests(pause: .milliseconds(20))
        let now = ContinuousClock.now
        rests.rest([first: 0], now: now)
        rests.recheck(soon: true, now: now)
        #expect(rests.nextWake == now + PartitionRests.recheckInterval)
        rests.recheck(soon: false, now: now)
        #expect(rests.nextWake == now + .milliseconds(20))
    }

    @Test("partitions no longer assigned are forgotten; zero pause turns resting off")
    func revokedAndDisabled() {
        var rests = PartitionRests(pause: .milliseconds(20))
        let now = ContinuousClock.now
        rests.rest([first: 1, second: 1], now: now)
        rests.keepOnly([second])
        #expect(rests.due(now: now + .seconds(1)) == [second])
        #expect(rests.isEnabled)
        #expect(!PartitionRests(pause: .zero).isEnabled)
    }
}
