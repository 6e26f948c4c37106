import Foundation
import Testing
import TestSupport

@testable import InfluxWriter

/// The writer against the real InfluxDB 1.6 started by `scripts/with-services.sh`.
@Suite("Writer against real InfluxDB", .enabled(if: TestServices.shouldRun(needing: TestServices.influxVariable)))
struct InfluxDBIntegrationTests {
    func makeDatabase(_ query: InfluxDBQuery) async throws -> String {
        let name = "writer_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await query.run("CREATE DATABASE \"\(name)\"")
        return name
    }

    func configuration(url: String, database: String) -> InfluxWriterConfiguration {
        InfluxWriterConfiguration(url: url, api: .v1(database: database), retry: fastRetry)
    }

    @Test("20 000 points written in batches all arrive, exactly")
    func bulk() async throws {
        let url = try TestServices.require(TestServices.influxVariable)
        let query = InfluxDBQuery(url: url)
        let database = try await makeDatabase(query)
        let metrics = RecordingMetrics()
        let written = try await InfluxWriter.withWriter(
            configuration: configuration(url: url, database: database).with { $0.maxLinesPerRequest = 1500 },
            metrics: metrics
        ) { writer in
            var written = 0
            for start in stride(from: 0, to: 20_000, by: 4000) {
                let lines = (start..<start + 4000).map {
                    "bulk,symbol=S\($0 % 20),exchange=x price=\($0).25,qty=\($0)i,side=\"buy\" \(1_600_000_000_000_000_000 + $0)"
                }
                let outcome = try await writer.write(LineBatch(lines: lines))
                #expect(outcome.rejected.isEmpty)
                written += outcome.writtenLines
            }
            return written
        }
        #expect(written == 20_000)
        #expect(try await query.count("price", in: "bulk", database: database) == 20_000)
        #expect(try await query.count("qty", in: "bulk", database: database) == 20_000)
        #expect(metrics.recorded.written == 20_000)
        #expect(metrics.recorded.requests.allSatisfy { $0.result.label == "204" })
        try await query.run("DROP DATABASE \"\(database)\"")
    }

    @Test("a field type conflict and a syntax error are rejected with InfluxDB's reasons; the good lines are stored")
    func rejectedLines() async throws {
        let url = try TestServices.require(TestServices.influxVariable)
        let query = InfluxDBQuery(url: url)
        let database = try await makeDatabase(query)
        let outcome = try await InfluxWriter.withWriter(configuration: configuration(url: url, database: database)) { writer in
            let seeded = try await writer.write(LineBatch(lines: ["typed,host=a value=1.5 1000"]))
            #expect(seeded == WriteOutcome(writtenLines: 1))
            var lines = (0..<30).map { "good,host=h\($0 % 3) value=\($0).5 \(2000 + $0)" }
            lines.insert("typed,host=a value=7i 1001", at: 11)  // integer into a float field
            lines.insert("syntax error here", at: 20)
            return try await writer.write(LineBatch(lines: lines))
        }
        #expect(outcome.writtenLines == 30)
        #expect(outcome.rejected.map(\.index) == [11, 20])
        #expect(outcome.rejected.map(\.status) == [400, 400])
        let reasons = outcome.rejected.map(\.reason)
        #expect(reasons[0].contains("field type conflict"))
        #expect(reasons[1].contains("unable to parse"))
        #expect(String(decoding: outcome.rejected[1].line, as: UTF8.self) == "syntax error here")
        #expect(try await query.count("value", in: "good", database: database) == 30)
        #expect(try await query.count("value", in: "typed", database: database) == 1)
        try await query.run("DROP DATABASE \"\(database)\"")
    }

    @Test("unreachable server: retried until a server comes up (and its database exists), then written", .timeLimit(.minutes(1)))
    func unreachableThenBack() async throws {
        let influxd = try InfluxDBServer(httpPort: try freeLoopbackPort(), rpcPort: try freeLoopbackPort())
        defer { influxd.stop() }
        let metrics = RecordingMetrics()
        let lines = sampleLines(3000, measurement: "late")
        let outcome = try await InfluxWriter.withWriter(
            configuration: configuration(url: influxd.url, database: "late").with { $0.retry.maxBackoff = .milliseconds(200) },
            metrics: metrics
        ) { writer in
            async let outcome = writer.write(LineBatch(lines: lines))
            try await Task.sleep(for: .seconds(1))
            #expect(writer.health.name == "unavailable")
            try await influxd.start()
            // Up, but the database is missing: 404, held and retried, nothing dropped.
            try await Task.sleep(for: .milliseconds(500))
            #expect(writer.health.name == "misconfigured")
            try await InfluxDBQuery(url: influxd.url).run("CREATE DATABASE late")
            let result = try await outcome
            #expect(writer.health == .healthy)
            return result
        }
        #expect(outcome == WriteOutcome(writtenLines: 3000))
        #expect(try await InfluxDBQuery(url: influxd.url).count("value", in: "late", database: "late") == 3000)
        let labels = Set(metrics.recorded.requests.map(\.result.label))
        #expect(labels == ["connection_error", "404", "204"])
        #expect(metrics.recorded.healthChanges.map(\.name) == ["unavailable", "misconfigured", "healthy"])
    }
}
