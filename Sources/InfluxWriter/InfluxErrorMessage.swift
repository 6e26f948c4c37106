import AsyncHTTPClient
import Foundation

/// Extracts InfluxDB's error text from a response.
enum InfluxErrorMessage {
    /// Longest message kept (InfluxDB quotes whole lines in parse errors).
    static let maxLength = 1024
    /// Most response-body bytes kept for the message; the rest is read and dropped so the
    /// connection can be reused.
    static let maxResponseBytes = 16 * 1024

    /// The error message of `response` ("" for a 2xx), from its body (read to the end, at most
    /// ``maxResponseBytes`` kept) or its `X-Influxdb-Error` header.
    static func read(_ response: HTTPClientResponse) async throws -> String {
        var kept: [UInt8] = []
        for try await part in response.body where kept.count < maxResponseBytes {
            kept += part.readableBytesView.prefix(maxResponseBytes - kept.count)
        }
        guard !(200..<300).contains(response.status.code) else { return "" }
        return extract(body: kept, errorHeader: response.headers.first(name: "X-Influxdb-Error"))
    }

    /// The `error` (1.x) or `message` (2.x) field of a JSON body, else the `X-Influxdb-Error`
    /// header, else the body as text; trimmed to ``maxLength`` characters.
    static func extract(body: [UInt8], errorHeader: String?) -> String {
        if let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = json["error"] as? String { return truncated(error) }
            if let message = json["message"] as? String { return truncated(message) }
        }
        if let errorHeader, !errorHeader.isEmpty {
            return truncated(errorHeader)
        }
        return truncated(String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func truncated(_ text: String) -> String {
        text.count <= maxLength ? text : String(text.prefix(maxLength)) + "…"
    }
}
