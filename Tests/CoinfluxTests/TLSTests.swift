import Foundation
import TestSupport
import Testing

/// Every `wss`/`https` connection verifies the server's certificate: against the system's
/// certificate authorities, or only those of the configured CA file (`collector.tls.ca_file`,
/// `influxdb.tls.ca_file`). A local server with a self-signed certificate is refused with a
/// clear error, and accepted once its certificate is the configured CA.
@Suite("TLS: certificates verified", .serialized, .timeLimit(.minutes(3)))
struct TLSTests {
    @Test("InfluxDB over https with a self-signed certificate: status 1 naming the certificate failure; accepted with influxdb.tls.ca_file",
          .enabled(if: TestServices.shouldRun(needing: TestServices.kafkaVariable)))
    func influxCertificate() async throws {
        let server = try TLSServer()
        let refused = try StartupFailureTests.processAgainst(["--set", "influxdb.url=https://127.0.0.1:\(server.port)"])
        let status = await refused.waitForExit(within: .seconds(45))
        if status == nil { refused.killNow() }
        #expect(status == 1, "\(refused.logTail)")
        #expect(refused.log.contains("coinflux: influxdb is not usable"), "\(refused.logTail)")
        #expect(refused.log.contains("CERTIFICATE_VERIFY_FAILED"), "the message does not say it is the certificate:\n\(refused.logTail)")
        StartupFailureTests.expectNoTrap(refused.log)

        let trusted = try StartupFailureTests.processAgainst(["--set", "influxdb.url=https://127.0.0.1:\(server.port)",
                                                              "--set", "influxdb.tls.ca_file=\(server.certificateFile)"])
        let started = await FaultTests.eventually(within: .seconds(30)) { trusted.log.contains("processor started") }
        #expect(started, "with the CA file the writer did not accept the server:\n\(trusted.logTail)")
        #expect(!trusted.log.contains("CERTIFICATE_VERIFY_FAILED"), "\(trusted.logTail)")
        #expect(trusted.terminate() == 0)
    }

    @Test("an exchange over wss and its REST fallback over https with a self-signed certificate: refused with a certificate error; the certificate error goes away with collector.tls.ca_file")
    func exchangeCertificate() async throws {
        let server = try TLSServer()
        func collect(_ extra: [String]) throws -> ProcessorProcess {
            let port = try freeLoopbackPort()
            return try ProcessorProcess(arguments: [
                "collect", "--set", "kafka.brokers=127.0.0.1:1", "--set", "telemetry.listen=127.0.0.1:\(port)",
                // A host name: the WebSocket client sends it as SNI, which an IP address cannot be.
                "--set", "collector.binance.url=wss://localhost:\(server.port)/ws", "--set", "collector.binance.rest_url=https://127.0.0.1:\(server.port)",
                "--set", "collector.rest_fallback_after=1s", "--set", "collector.rest_poll_interval=1s", "--set", "log.level=info",
            ] + ["upbit", "bybit", "bithumb", "coinone"].flatMap { ["--set", "collector.\($0).enabled=false"] } + extra, telemetryPort: port)
        }
        let refused = try collect([])
        func lines(_ process: ProcessorProcess, _ marks: String...) -> [Substring] {
            process.log.split(separator: "\n").filter { line in marks.allSatisfy { line.contains($0) } }
        }
        let sawCertificateErrors = await FaultTests.eventually(within: .seconds(20)) {
            !lines(refused, "websocket", "CERTIFICATE_VERIFY_FAILED").isEmpty && !lines(refused, "REST fallback poll failed", "CERTIFICATE_VERIFY_FAILED").isEmpty
        }
        #expect(sawCertificateErrors, "no certificate error on the WebSocket and the REST fallback:\n\(refused.logTail)")
        let restErrors = await refused.sample("coinflux_feed_rest_polls_total{exchange=\"binance\",outcome=\"error\"}") ?? 0
        #expect(restErrors > 0, "the REST fallback was not refused")
        #expect(refused.terminate() == 0)

        let trusted = try collect(["--set", "collector.tls.ca_file=\(server.certificateFile)"])
        try await Task.sleep(for: .seconds(6))
        #expect(!trusted.log.contains("CERTIFICATE_VERIFY_FAILED"), "the configured CA was not used:\n\(trusted.logTail)")
        // The handshakes succeed; the WebSocket upgrade and the REST answer fail (the server answers 204).
        #expect(!lines(trusted, "websocket").isEmpty && !lines(trusted, "REST fallback poll failed", "HTTP 204").isEmpty,
                "the connections should fail after the handshake:\n\(trusted.logTail)")
        #expect(trusted.terminate() == 0)
    }
}
