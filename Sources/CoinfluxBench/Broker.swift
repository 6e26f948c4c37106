import Foundation

/// The local broker's processes (`COINFLUX_TEST_KAFKA_PGID`, exported by `scripts/with-services.sh`),
/// for charging its CPU to a figure and for measuring only while it is idle.
enum Broker {
    /// The broker's process group, if known.
    static let processGroup = ProcessInfo.processInfo.environment["COINFLUX_TEST_KAFKA_PGID"].flatMap(Int32.init)

    /// CPU seconds the broker has used so far (0 when its process group is unknown).
    static func cpuSeconds() -> Double {
        processGroup.map(CPUTime.processGroup) ?? 0
    }

    /// Waits until the broker spends under 5 % of a core over a quarter of a second, at most 30 s.
    /// noida-db saves its data in a background thread for a second or two after a large write: a
    /// figure measured meanwhile shares the two cores with that (kcat read 500 000 messages in
    /// 1.0 s right after they were produced, in 0.21 s once the broker was idle).
    static func waitUntilQuiet(before figure: String) {
        guard processGroup != nil else { return }
        let window = 0.25
        let start = Date()
        var last = cpuSeconds()
        while Date().timeIntervalSince(start) < 30 {
            Thread.sleep(forTimeInterval: window)
            let now = cpuSeconds()
            defer { last = now }
            if now - last < 0.05 * window { break }
        }
        let waited = Date().timeIntervalSince(start)
        if waited > 2 * window {
            print(String(format: "  waited %.1f s for the broker to go idle before %@", waited, figure as NSString))
        }
    }
}
