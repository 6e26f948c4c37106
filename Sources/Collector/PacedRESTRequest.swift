import AsyncHTTPClient
import Foundation
import NIOCore

/// A GET of an exchange's REST API within the exchange's budget: waits for its slots of the
/// ``RequestPacer``, reads the body up to a bound, holds every REST request of the exchange after
/// a 429/418 answer for as long as it asks, and fails for any status but 200.
struct PacedRESTRequest: Sendable {
    let restURL: URL
    let pacer: RequestPacer
    let httpClient: HTTPClient
    let maximumBodyBytes: Int
    let rateLimitPause: Duration

    /// Why a response could not be had.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The body of `path` (with query), relative to the REST base URL.
    /// - Parameters:
    ///   - cost: slots of the pacer the request takes.
    ///   - limit: largest body accepted; nil: `maximumBodyBytes`.
    func body(of path: String, cost: Int = 1, limit: Int? = nil) async throws -> ByteBuffer {
        for _ in 0..<max(1, cost) {
            try await pacer.wait()
        }
        let response = try await httpClient.execute(HTTPClientRequest(url: restURL.absoluteString + path), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: limit ?? maximumBodyBytes)
        if pacer.holdIfRateLimited(response, defaultPause: rateLimitPause) != nil {
            throw Failure(description: "HTTP \(response.status.code): rate-limited by the exchange")
        }
        guard response.status == .ok else {
            throw Failure(description: "HTTP \(response.status.code) for \(path)")
        }
        return body
    }
}
