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

    /// Most response-body bytes kept for the error message; the rest is read and dropped so the
    /// connection can be reused.
    static let maxResponseBytes = 16 * 1024

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
            var kept: [UInt8] = []
            for try await part in response.body where kept.count < Self.maxResponseBytes {
                kept += part.readableBytesView.prefix(Self.maxResponseBytes - kept.count)
            }
            let message = InfluxErrorMessage.extract(body: kept, errorHeader: response.headers.first(name: "X-Influxdb-Error"))
            let result = AttemptResult.response(
                status: Int(response.status.code),
                retryAfter: response.headers.first(name: "Retry-After"),
                message: (200..<300).contains(response.status.code) ? "" : message
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
