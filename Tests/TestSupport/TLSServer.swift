import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTPS server on a free loopback port with a self-signed certificate made for the test
/// (`openssl req -x509`, for `localhost` and 127.0.0.1), answering every request with 204:
/// enough to look like InfluxDB's `/ping` and `/write`, and to show whether a client accepts the
/// certificate at all. ``certificateFile`` is the certificate, to configure as a trusted CA.
public final class TLSServer: @unchecked Sendable {
    public let port: Int
    /// PEM of the server's self-signed certificate.
    public let certificateFile: String
    private let directory: URL
    private let pid: pid_t

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificateFile = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try runCommand(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificateFile,
                                   "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        guard made.status == 0 else { throw CommandFailure(description: "openssl: \(made.output)") }
        port = try freeLoopbackPort()
        let script = """
            import http.server, ssl, sys
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def answer(self):
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    self.send_response(204)
                    self.send_header("X-Influxdb-Version", "1.6.7")
                    self.end_headers()
                do_GET = do_POST = do_HEAD = answer
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            server.serve_forever()
            """
        let scriptFile = directory.appendingPathComponent("server.py").path
        try script.write(toFile: scriptFile, atomically: true, encoding: .utf8)
        var child: pid_t = 0
        let words = ["/usr/bin/env", "python3", scriptFile, String(port), certificateFile, key]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&child, "/usr/bin/env", nil, nil, argv, environ) == 0 else {
            throw CommandFailure(description: "could not start the TLS server")
        }
        pid = child
        for _ in 0..<100 where !acceptsConnections(port: port) {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: directory)
    }
}
