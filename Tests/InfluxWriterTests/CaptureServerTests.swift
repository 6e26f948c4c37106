import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import InfluxWriter

/// The writer against a local scripted HTTP server: request shape and handling of each status.
@Suite("Writer against a capture server")
struct CaptureServerTests {
    static let token = "tok-123"

    func configuration(_ server: CaptureServer, api: InfluxWriterConfiguration.API? = nil) -> InfluxWriterConfiguration {
        InfluxWriterConfiguration(
            url: server.url,
            api: api ?? .v2(organization: "my org", bucket: "ticks", token: Secret(Self.token)),
            timeouts: .init(connect: .seconds(2), request: .seconds(5)),
            retry: fastRetry
        )
    }

    /// Runs `body` with a server answering `script` and a writer pointed at it.
    func withServer<T: Sendable>(
        _ script: @escaping CaptureServer.Script,
        configure: (InfluxWriterConfiguration) -> InfluxWriterConfiguration = { $0 },
        metrics: RecordingMetrics = RecordingMetrics(),
        logger: Logger? = nil,
        _ body: (CaptureServer, InfluxWriter) async throws -> T
    ) async throws -> T {
        let server = try await CaptureServer.start(script)
        do {
            let result = try await InfluxWriter.withWriter(
                configuration: configure(configuration(server)),
                metrics: metrics,
                logger: logger ?? Logger(label: "test")
            ) { writer in
                try await body(server, writer)
            }
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// Lines of every request the server answered with 2xx, in arrival order.
    func acknowledgedLines(_ server: CaptureServer, script: CaptureServer.Script) throws -> [String] {
        try server.requests.enumerated().filter { script($0.element, $0.offset).status.code / 100 == 2 }.flatMap { try $0.element.lines() }
    }

    @Test("v2: path, query, headers, and a gzipped body holding exactly the lines")
    func v2Request() async throws {
        let lines = sampleLines(100)
        let (outcome, requests) = try await withServer({ _, _ in .noContent }) { server, writer in
            (try await writer.write(LineBatch(lines: lines)), server.requests)
        }
        #expect(outcome == WriteOutcome(writtenLines: 100))
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.method == .POST)
        #expect(request.path == "/api/v2/write")
        #expect(request.query == ["org": "my org", "bucket": "ticks", "precision": "ns"])
        #expect(request.headers.first(name: "Authorization") == "Token \(Self.token)")
        #expect(request.headers.first(name: "Content-Encoding") == "gzip")
        #expect(request.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
        #expect(try request.lines() == lines)
        #expect(request.body.readableBytes < LineBatch(lines: lines).byteCount / 3)
    }

    @Test("v1: /write with db, rp, precision and basic auth; gzip off sends plain text")
    func v1Request() async throws {
        let lines = sampleLines(10)
        let requests = try await withServer(
            { _, _ in .noContent },
            configure: {
                $0.with {
                    $0.api = .v1(database: "coinflux", retentionPolicy: "autogen", username: "ann", password: "pw:x")
                    $0.gzip = false
                }
            }
        ) { server, writer in
            _ = try await writer.write(LineBatch(lines: lines))
            return server.requests
        }
        let request = try #require(requests.first)
        #expect(request.path == "/write")
        #expect(request.query == ["db": "coinflux", "rp": "autogen", "precision": "ns"])
        #expect(request.headers.first(name: "Authorization") == "Basic YW5uOnB3Ong=")  // ann:pw:x
        #expect(request.headers.first(name: "Content-Encoding") == nil)
        #expect(String(buffer: request.body) == lines.map { $0 + "\n" }.joined())
    }

    @Test("a large batch goes out as request-sized chunks over two connections, each line once")
    func chunked() async throws {
        let lines = sampleLines(10_000)
        let (outcome, requests) = try await withServer(
            { _, _ in ScriptedResponse(status: .noContent, delay: .milliseconds(20)) },
            configure: { $0.with { $0.maxLinesPerRequest = 1000 } }
        ) { server, writer in
            (try await writer.write(LineBatch(lines: lines)), server.requests)
        }
        #expect(outcome == WriteOutcome(writtenLines: 10_000))
        #expect(requests.count == 10)
        #expect(try requests.flatMap { try $0.lines() }.sorted() == lines.sorted())
    }

    @Test("400 on one bad line: that line is rejected with InfluxDB's reason, the others written")
    func badLine() async throws {
        let script: CaptureServer.Script = { request, _ in
            let lines = (try? request.lines()) ?? []
            guard let bad = lines.first(where: { $0.hasPrefix("BAD") }) else { return .noContent }
            return lines.count == 1
                ? .error(.badRequest, "unable to parse '\(bad)': missing fields")
                : .error(.badRequest, "partial write: unable to parse '\(bad)': missing fields dropped=1")
        }
        var lines = sampleLines(20)
        lines[13] = "BAD line"
        let (outcome, acknowledged) = try await withServer(script) { server, writer in
            (try await writer.write(LineBatch(lines: lines)), try acknowledgedLines(server, script: script))
        }
        #expect(outcome.writtenLines == 19)
        #expect(outcome.rejected == [RejectedLine(index: 13, line: Array("BAD line".utf8), status: 400, reason: "unable to parse 'BAD line': missing fields")])
        #expect(acknowledged.sorted() == lines.filter { !$0.hasPrefix("BAD") }.sorted())
        #expect(Set(acknowledged).count == acknowledged.count)
    }

    @Test("422 (InfluxDB 2.x JSON): the line is rejected with the message field")
    func unprocessable() async throws {
        let script: CaptureServer.Script = { request, _ in
            guard ((try? request.lines()) ?? []).contains(where: { $0.hasPrefix("OLD") }) else { return .noContent }
            return ScriptedResponse(
                status: .unprocessableEntity,
                headers: [("Content-Type", "application/json")],
                body: #"{"code":"unprocessable entity","message":"failure writing points to database: partial write: points beyond retention policy dropped=1"}"#
            )
        }
        let lines = ["OLD x=1 1", "a x=1 2", "b x=2 3"]
        let outcome = try await withServer(script) { _, writer in try await writer.write(LineBatch(lines: lines)) }
        #expect(outcome.writtenLines == 2)
        #expect(outcome.rejected.map(\.index) == [0])
        #expect(outcome.rejected.first?.status == 422)
        #expect(outcome.rejected.first?.reason == "failure writing points to database: partial write: points beyond retention policy dropped=1")
    }

    @Test("413: the batch is split into smaller requests whose union is the batch")
    func tooLarge() async throws {
        let script: CaptureServer.Script = { request, _ in
            ((try? request.lines().count) ?? 0) > 4 ? .error(.payloadTooLarge, "Request Entity Too Large") : .noContent
        }
        let lines = sampleLines(10)
        let (outcome, requests, acknowledged) = try await withServer(script) { server, writer in
            (try await writer.write(LineBatch(lines: lines)), server.requests, try acknowledgedLines(server, script: script))
        }
        #expect(outcome == WriteOutcome(writtenLines: 10))
        #expect(try requests.map { try $0.lines().count } == [10, 5, 2, 3, 5, 2, 3])
        #expect(acknowledged == lines)
    }

    @Test("429 with Retry-After: 1 — the next attempt comes at least 1 s later")
    func retryAfter() async throws {
        let metrics = RecordingMetrics()
        let requests = try await withServer(
            { _, number in number == 0 ? .error(.tooManyRequests, "slow down", headers: [("Retry-After", "1")]) : .noContent },
            metrics: metrics
        ) { server, writer in
            _ = try await writer.write(LineBatch(lines: sampleLines(5)))
            return server.requests
        }
        #expect(requests.count == 2)
        #expect(requests[0].receivedAt.duration(to: requests[1].receivedAt) >= .seconds(1))
        #expect(metrics.recorded.retries.map(\.0) == [.seconds(1)])
        #expect(try requests[1].lines() == sampleLines(5))
    }

    @Test("503 is retried with backoff until it succeeds; health goes unavailable and back")
    func serviceUnavailable() async throws {
        let metrics = RecordingMetrics()
        let outcome = try await withServer(
            { _, number in number < 3 ? .error(.serviceUnavailable, "engine busy") : .noContent },
            metrics: metrics
        ) { _, writer in
            let outcome = try await writer.write(LineBatch(lines: sampleLines(5)))
            #expect(writer.health == .healthy)
            return outcome
        }
        #expect(outcome == WriteOutcome(writtenLines: 5))
        let recorded = metrics.recorded
        #expect(recorded.requests.map(\.result.label) == ["503", "503", "503", "204"])
        #expect(recorded.healthChanges == [.unavailable("HTTP 503: engine busy"), .healthy])
        #expect(recorded.written == 5)
        #expect(recorded.requests.allSatisfy { $0.bytes == LineBatch(lines: sampleLines(5)).byteCount && $0.bodyBytes > 0 })
    }

    @Test("401 holds the data in a distinct state, logged once, and writes once the server accepts")
    func unauthorized() async throws {
        let metrics = RecordingMetrics()
        let logged = NIOLockedValueBox<[String]>([])
        let outcome = try await withServer(
            { _, number in number < 4 ? .error(.unauthorized, "authorization failed") : .noContent },
            metrics: metrics,
            logger: capturingLogger(logged)
        ) { _, writer in
            try await writer.write(LineBatch(lines: sampleLines(5)))
        }
        #expect(outcome == WriteOutcome(writtenLines: 5))
        let recorded = metrics.recorded
        #expect(recorded.healthChanges == [.unauthorized("HTTP 401: authorization failed"), .healthy])
        #expect(recorded.retries.count == 4)
        #expect(recorded.retries.allSatisfy { $0.0 == fastRetry.heldInterval })
        let warnings = logged.withLockedValue { $0 }.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("unauthorized") == true)
        #expect(logged.withLockedValue { $0 }.allSatisfy { !$0.contains(Self.token) })
    }

    @Test("a request that times out is retried")
    func timeout() async throws {
        let metrics = RecordingMetrics()
        let outcome = try await withServer(
            { _, number in number == 0 ? ScriptedResponse(status: .noContent, delay: .seconds(3)) : .noContent },
            configure: { $0.with { $0.timeouts.request = .milliseconds(300) } },
            metrics: metrics
        ) { _, writer in
            try await writer.write(LineBatch(lines: sampleLines(5)))
        }
        #expect(outcome == WriteOutcome(writtenLines: 5))
        #expect(metrics.recorded.requests.map(\.result.label) == ["timeout", "204"])
    }

    @Test("connection refused is retried until the server comes up")
    func refusedThenUp() async throws {
        let placeholder = try await CaptureServer.start { _, _ in .noContent }
        let port = placeholder.port
        try await placeholder.stop()
        let metrics = RecordingMetrics()
        let configuration = InfluxWriterConfiguration(
            url: "http://127.0.0.1:\(port)",
            api: .v1(database: "d"),
            retry: fastRetry.with(maxBackoff: .milliseconds(50))
        )
        let (outcome, server) = try await InfluxWriter.withWriter(configuration: configuration, metrics: metrics) { writer in
            async let outcome = writer.write(LineBatch(lines: sampleLines(5)))
            try await Task.sleep(for: .milliseconds(700))
            #expect(writer.health.name == "unavailable")
            let server = try await CaptureServer.start(port: port) { _, _ in .noContent }
            return (try await outcome, server)
        }
        #expect(outcome == WriteOutcome(writtenLines: 5))
        #expect(try server.requests.flatMap { try $0.lines() } == sampleLines(5))
        let labels = metrics.recorded.requests.map(\.result.label)
        // At least one refused attempt was retried (how many fit in 700 ms depends on the machine's load).
        #expect(labels.count >= 2)
        #expect(labels.dropLast().allSatisfy { $0 == "connection_error" })
        #expect(labels.last == "204")
        try await server.stop()
    }

    @Test("a write on a shut-down writer throws instead of retrying forever")
    func afterShutdown() async throws {
        let configuration = InfluxWriterConfiguration(url: "http://127.0.0.1:9", api: .v1(database: "d"), retry: fastRetry)
        let writer = try InfluxWriter(configuration: configuration.with { $0.maxLinesPerRequest = 1 })
        try await writer.shutdown()
        await #expect(throws: CancellationError.self) { try await writer.write(LineBatch(lines: ["a x=1"])) }
        await #expect(throws: CancellationError.self) { try await writer.write(LineBatch(lines: sampleLines(5))) }
    }

    @Test("cancelling a write that keeps failing throws CancellationError")
    func cancellation() async throws {
        try await withServer({ _, _ in .error(.serviceUnavailable, "down") }) { _, writer in
            let task = Task { try await writer.write(LineBatch(lines: sampleLines(10_000))) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }
}

extension InfluxWriterConfiguration.Retry {
    fileprivate func with(maxBackoff: Duration) -> Self {
        var copy = self
        copy.maxBackoff = maxBackoff
        return copy
    }
}
