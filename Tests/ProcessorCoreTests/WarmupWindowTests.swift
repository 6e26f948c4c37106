import Testing

@testable import ProcessorCore

@Suite("Warm-up window")
struct WarmupWindowTests {
    static let second: Int64 = 1_000_000_000

    /// Observes offsets `range` of `partition`, one message per second of message time from
    /// `offset` seconds; returns the decisions that were not `.none`.
    static func observe(_ window: inout WarmupWindow, partition: Int = 0, _ range: Range<Int>) -> [WarmupWindow.Decision] {
        range.compactMap { offset in
            let decision = window.observe(MessagePosition(partition: partition, offset: offset), timeNanos: Int64(offset) * second)
            return decision == .none ? nil : decision
        }
    }

    @Test("re-read messages spanning the window: nothing more to do")
    func covered() {
        var window = WarmupWindow(window: .seconds(60))
        window.assigned(partition: 0, rewound: 100..<200)  // 100 s of messages re-read
        #expect(Self.observe(&window, 100..<260).isEmpty)
        #expect(window.pending == 0)
    }

    @Test("re-read messages shorter than the window: rewind to the last one's time minus the window, once")
    func short() {
        var window = WarmupWindow(window: .seconds(60))
        window.assigned(partition: 3, rewound: 180..<200)  // 20 s re-read, message 199 at 199 s
        #expect(Self.observe(&window, partition: 3, 180..<198).isEmpty, "undecided until the last re-read message")
        #expect(Self.observe(&window, partition: 3, 198..<230) == [.rewind(partition: 3, timeNanos: 139 * Self.second)],
                "asked once, at the last re-read message, for 199 s − 60 s")
        window.extended(partition: 3, from: 139)
        #expect(Self.observe(&window, partition: 3, 139..<230).isEmpty, "extended once only")
        #expect(window.pending == 0)
    }

    @Test("a last re-read message that never arrives: the first new one decides")
    func lastMessageMissing() {
        var window = WarmupWindow(window: .seconds(30))
        window.assigned(partition: 0, rewound: 50..<60)
        #expect(window.observe(MessagePosition(partition: 0, offset: 50), timeNanos: 50 * Self.second) == .none)
        #expect(window.observe(MessagePosition(partition: 0, offset: 65), timeNanos: 65 * Self.second)
                == .rewind(partition: 0, timeNanos: 35 * Self.second))
    }

    @Test("the source found nothing older: settled, no more decisions")
    func settled() {
        var window = WarmupWindow(window: .seconds(60))
        window.assigned(partition: 0, rewound: 100..<105)
        #expect(Self.observe(&window, 100..<105).count == 1)
        #expect(Self.observe(&window, 105..<110).isEmpty, "no second request while the source decides")
        window.settled(partition: 0)
        #expect(window.pending == 0)
    }

    @Test("a window reaching before the first message time of the epoch asks for time zero (the partition's start)")
    func windowBeforeEpoch() {
        var window = WarmupWindow(window: .seconds(60))
        window.assigned(partition: 0, rewound: 3..<5)
        #expect(Self.observe(&window, 3..<5) == [.rewind(partition: 0, timeNanos: 0)])
    }

    @Test("no window, no message times, an empty range or a revoked partition: never a rewind")
    func nothingToDecide() {
        var off = WarmupWindow(window: .zero)
        off.assigned(partition: 0, rewound: 0..<5)
        #expect(Self.observe(&off, 0..<10).isEmpty)

        var untimed = WarmupWindow(window: .seconds(60))
        untimed.assigned(partition: 0, rewound: 0..<5)
        #expect((0..<10).allSatisfy { untimed.observe(MessagePosition(partition: 0, offset: $0), timeNanos: nil) == .none })

        var empty = WarmupWindow(window: .seconds(60))
        empty.assigned(partition: 0, rewound: 5..<5)
        #expect(Self.observe(&empty, 5..<10).isEmpty)

        var revoked = WarmupWindow(window: .seconds(60))
        revoked.assigned(partition: 1, rewound: 0..<5)
        revoked.revoked(partitions: [1])
        #expect(Self.observe(&revoked, partition: 1, 0..<10).isEmpty)
    }

    @Test("message times near the start of time do not overflow")
    func earliestTimes() {
        var window = WarmupWindow(window: .seconds(60))
        window.assigned(partition: 0, rewound: 0..<2)
        #expect(window.observe(MessagePosition(partition: 0, offset: 0), timeNanos: .min + 5) == .none)
        #expect(window.observe(MessagePosition(partition: 0, offset: 1), timeNanos: .min + 10) == .none,
                "nothing can be older than the first message")
    }
}
