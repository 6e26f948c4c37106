import Testing

@testable import Telemetry

@Suite("Process metrics")
struct ProcessMetricsTests {
    // A /proc/self/stat line whose command name holds a space and a parenthesis, as proc(5) allows.
    static let stat = "4242 (coin flux) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0 12000 1073741824 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"

    @Test func parsesTheStatFields() throws {
        let metrics = try #require(ProcessMetrics.parse(stat: Self.stat, bootTime: 1_700_000_000, clockTicksPerSecond: 100,
                                                        pageSize: 4096, openFileDescriptors: 12, maximumFileDescriptors: 1024))
        #expect(metrics.cpuSeconds == 3.0)                     // (utime 250 + stime 50) / 100
        #expect(metrics.startTimeSeconds == 1_700_000_120)     // btime + starttime 12000 / 100
        #expect(metrics.virtualMemoryBytes == 1_073_741_824)   // vsize
        #expect(metrics.residentMemoryBytes == 2048 * 4096)    // rss pages · page size
        #expect(metrics.openFileDescriptors == 12)
    }

    @Test func rejectsATruncatedStat() {
        #expect(ProcessMetrics.parse(stat: "4242 (coinflux) S 1 2", bootTime: 0, clockTicksPerSecond: 100,
                                     pageSize: 4096, openFileDescriptors: 0, maximumFileDescriptors: 0) == nil)
        #expect(ProcessMetrics.parse(stat: "garbage", bootTime: 0, clockTicksPerSecond: 100,
                                     pageSize: 4096, openFileDescriptors: 0, maximumFileDescriptors: 0) == nil)
    }

    @Test func readsThisProcess() throws {
        let metrics = try #require(ProcessMetrics.current())
        #expect(metrics.residentMemoryBytes > 1_000_000)
        #expect(metrics.openFileDescriptors > 2)
        #expect(metrics.cpuSeconds > 0)
    }

    @Test func rendersStandardNames() {
        var buffer: [UInt8] = []
        ProcessMetrics(cpuSeconds: 1.5, residentMemoryBytes: 1e6, virtualMemoryBytes: 2e6, startTimeSeconds: 1.7e9,
                       openFileDescriptors: 9, maximumFileDescriptors: 1024).render(into: &buffer)
        ProcessMetrics.renderBuildInfo(version: "1.2.3", host: "coinflux-processor-0", into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n"))
        #expect(text.contains("process_resident_memory_bytes 1000000.0\n"))
        #expect(text.contains("process_open_fds 9\n"))
        #expect(text.contains("coinflux_build_info{version=\"1.2.3\",host=\"coinflux-processor-0\"} 1\n"))
    }

    /// The host label is this machine's name (a pod name on Kubernetes, a container id under Docker)
    /// and never breaks the exposition format.
    @Test func buildInfoNamesTheHost() {
        #expect(!ProcessMetrics.hostName.isEmpty)
        var buffer: [UInt8] = []
        ProcessMetrics.renderBuildInfo(version: "1", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self).contains("host=\"\(ProcessMetrics.hostName)\""))
        #expect(ProcessMetrics.labelSafe("a\"b\\c\nd") == "abcd")
    }

    @Test func readinessBodyNamesWhatIsNotReady() {
        let readiness = Readiness()
        readiness.register("feed binance") { nil }
        #expect(Readiness.body(for: readiness.notReady()) == "{\"ready\":true}")
        readiness.register("feed \"upbit\"") { "disconnected\nfor 5 s" }
        #expect(Readiness.body(for: readiness.notReady()) == "{\"ready\":false,\"not_ready\":{\"feed \\\"upbit\\\"\":\"disconnected\\nfor 5 s\"}}")
    }
}
