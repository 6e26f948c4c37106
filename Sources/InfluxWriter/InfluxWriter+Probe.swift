import AsyncHTTPClient
import CoinfluxCore
import NIOCore
import NIOPosix
import NIOSSL

extension InfluxWriter {
    /// Checks once whether InfluxDB would accept writes: an empty write request, which InfluxDB
    /// answers after checking the credentials and the database (bucket) but before reading lines.
    ///
    /// - `available`: 2xx (or a 400 about the empty body: credentials and target were accepted).
    /// - `misconfigured`: 401/403 (credentials), 404 or a 400 naming a missing database or
    ///   retention policy (target), a host name that does not resolve, a TLS handshake that fails
    ///   or plain HTTP answered by a TLS server (the URL's scheme), any other unexpected status.
    /// - `unavailable`: refused or broken connections, timeouts, 408, 429, 5xx.
    public func probe() async -> DependencyState {
        let result = await transport.sendEmpty()
        return Self.verdict(of: result)
    }

    /// What an empty write's result says about InfluxDB (pure; see ``probe()``).
    static func verdict(of result: ProbeResult) -> DependencyState {
        switch result {
        case .response(let status, let message):
            let described = message.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(message)"
            switch status {
            case 200..<300:
                return .available
            case 400 where message.lowercased().contains("https server"):
                return .misconfigured("plain HTTP sent to a TLS port (\(described)); use an https:// URL")
            case 400 where RetryPolicy.namesMissingTarget(message):
                return .misconfigured("database, bucket or retention policy not found (\(described))")
            case 400:
                return .available
            case 401, 403:
                return .misconfigured("credentials refused (\(described))")
            case 404:
                return .misconfigured("database, bucket or write API not found (\(described))")
            case 408, 429, 500..<600:
                return .unavailable(described)
            default:
                return .misconfigured("unexpected answer to a write (\(described))")
            }
        case .timeout:
            return .unavailable("no answer within the request timeout")
        case .unresolvable(let reason):
            return .misconfigured("host name does not resolve (\(reason))")
        case .tlsFailed(let reason):
            return .misconfigured("TLS handshake failed (\(reason)); is the server speaking TLS, and is its certificate trusted?")
        case .connectionFailed(let reason):
            return .unavailable("connection failed (\(reason))")
        }
    }

    /// What one empty write produced, with connection failures told apart by cause.
    enum ProbeResult: Sendable, Hashable {
        case response(status: Int, message: String)
        case timeout
        case unresolvable(String)
        case tlsFailed(String)
        case connectionFailed(String)
    }
}

extension HTTPTransport {
    /// Sends an empty write request and classifies the outcome (see ``InfluxWriter/probe()``).
    func sendEmpty() async -> InfluxWriter.ProbeResult {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers = endpoint.headers
        request.headers.remove(name: "Content-Encoding")
        request.body = .bytes(ByteBuffer())
        do {
            let response = try await client.execute(request, timeout: timeout)
            return .response(status: Int(response.status.code), message: try await InfluxErrorMessage.read(response))
        } catch let error as HTTPClientError
            where [.readTimeout, .writeTimeout, .deadlineExceeded, .connectTimeout, .getConnectionFromPoolTimeout].contains(error) {
            return .timeout
        } catch {
            return Self.classify(error)
        }
    }

    /// Tells a name that does not resolve and a failed TLS handshake from other connection failures.
    static func classify(_ error: any Error) -> InfluxWriter.ProbeResult {
        let text = String(String(describing: error).prefix(300))
        if error is NIOSSLError || error is BoringSSLError {
            return .tlsFailed(text)
        }
        if let connection = error as? NIOConnectionError, connection.dnsAError != nil || connection.dnsAAAAError != nil,
           connection.connectionErrors.isEmpty {
            return .unresolvable(text)
        }
        if error is SocketAddressError {
            return .unresolvable(text)
        }
        return .connectionFailed(text)
    }
}
