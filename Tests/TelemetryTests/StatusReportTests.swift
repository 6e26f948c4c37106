import Logging
import Testing

@testable import Telemetry

@Suite("Status report")
struct StatusReportTests {
    @Test("each registered part describes itself; a part with nothing to say is left out")
    func parts() {
        let report = StatusReport(interval: .seconds(60), logger: Logger(label: "test.status"))
        report.register("binance") { _ in "connected 1/1" }
        report.register("quiet") { _ in nil }
        report.register("processor") { interval in "over \(interval.components.seconds) s" }
        let parts = report.describe()
        #expect(parts.map(\.name) == ["binance", "processor"])
        #expect(parts.map(\.text) == ["connected 1/1", "over 60 s"])
    }

    @Test("a rate counter gives the rate since it was last read")
    func rates() {
        let counter = RateCounter()
        counter.add(30)
        counter.add(90)
        #expect(counter.rate(over: .seconds(60)) == 2)
        counter.add(6)
        #expect(counter.rate(over: .seconds(3)) == 2)
        #expect(counter.rate(over: .seconds(3)) == 0)
    }
}
