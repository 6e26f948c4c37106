import Testing

@testable import InfluxWriter

@Suite("LineBatcher")
struct LineBatcherTests {
    let t0 = ContinuousClock.now

    @Test("flushes at the line bound and refuses more")
    func lineBound() {
        var batcher = LineBatcher(maxLines: 3, maxBytes: 1000, maxAge: .seconds(10))
        for line in ["a x=1", "b x=2", "c x=3"] {
            #expect(batcher.flushReason(now: t0) == nil)
            #expect(batcher.append(Array(line.utf8), now: t0) == .appended)
        }
        #expect(batcher.flushReason(now: t0) == .lines)
        #expect(batcher.append(Array("d x=4".utf8), now: t0) == .full)
        let batch = batcher.take()
        #expect(batch == LineBatch(lines: ["a x=1", "b x=2", "c x=3"]))
        #expect(batcher.isEmpty && batcher.flushReason(now: t0) == nil && batcher.deadline == nil)
        #expect(batcher.append(Array("d x=4".utf8), now: t0) == .appended)
    }

    @Test("never exceeds the byte bound, except one oversized line alone")
    func byteBound() {
        var batcher = LineBatcher(maxLines: 100, maxBytes: 12, maxAge: .seconds(10))
        #expect(batcher.append(Array("a x=1".utf8), now: t0) == .appended)  // 6 bytes
        #expect(batcher.append(Array("bb x=2".utf8), now: t0) == .full)  // would be 13
        #expect(batcher.append(Array("b x=2\n".utf8), now: t0) == .appended)  // exactly 12
        #expect(batcher.byteCount == 12)
        #expect(batcher.flushReason(now: t0) == .bytes)
        _ = batcher.take()
        let long = Array("m,tag=a-very-long-tag value=1".utf8)
        #expect(batcher.append(long, now: t0) == .appended)
        #expect(batcher.flushReason(now: t0) == .bytes)
        #expect(batcher.append(Array("a x=1".utf8), now: t0) == .full)
    }

    @Test("flushes by age of the oldest line")
    func age() {
        var batcher = LineBatcher(maxLines: 100, maxBytes: 1000, maxAge: .milliseconds(500))
        #expect(batcher.append(Array("a x=1".utf8), now: t0) == .appended)
        #expect(batcher.append(Array("b x=2".utf8), now: t0 + .milliseconds(400)) == .appended)
        #expect(batcher.deadline == t0 + .milliseconds(500))
        #expect(batcher.flushReason(now: t0 + .milliseconds(499)) == nil)
        #expect(batcher.flushReason(now: t0 + .milliseconds(500)) == .age)
        _ = batcher.take()
        #expect(batcher.flushReason(now: t0 + .seconds(100)) == nil)
    }

    @Test("empty lines are ignored")
    func emptyLines() {
        var batcher = LineBatcher(maxLines: 1, maxBytes: 100)
        #expect(batcher.append([UInt8](), now: t0) == .ignored)
        #expect(batcher.append(Array("\n".utf8), now: t0) == .ignored)
        #expect(batcher.isEmpty && batcher.deadline == nil)
    }
}
