import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// ``WriteTransport`` over AsyncHTTPClient: one POST per call, gzipped when configured.
struct HTTPTransport: WriteTransport {
    let client: HTTPClient
    let endpoint: WriteEndpoint
    /// zlib level, or nil for uncompressed bodies.
    let gzipLevel: Int?
    let timeout: TimeAmount

    func send(_ lines: LineBatch) async throws(CancellationError) -> (result: AttemptResult, bodyBytes: Int) {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers = endpoint.headers
        var body = lines.body
        if let gzipLevel {
            if let compressed = Gzip.compress(body, level: gzipLevel) {
                body = compressed
            } else {
                request.headers.remove(name: "Content-Encoding")
            }
        }
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: timeout)
            let result = AttemptResult.response(
                status: Int(response.status.code),
                retryAfter: response.headers.first(name: "Retry-After"),
                message: try await InfluxErrorMessage.read(response)
            )
            return (result, body.readableBytes)
        } catch let error as HTTPClientError where error == .alreadyShutdown {
            throw CancellationError()
        } catch let error as HTTPClientError
            where [.readTimeout, .writeTimeout, .deadlineExceeded, .connectTimeout, .getConnectionFromPoolTimeout].contains(error)
        {
            return (.timeout, body.readableBytes)
        } catch {
            return (.connectionFailed(String(String(describing: error).prefix(300))), body.readableBytes)
        }
    }
}
