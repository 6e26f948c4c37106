import AsyncHTTPClient
import Foundation
import NIOCore

/// Test-side access to a real InfluxDB 1.x: InfluxQL over `/query`.
struct InfluxDBQuery {
    let url: String

    /// Runs an InfluxQL statement (POST, so it may create or drop) and returns the JSON answer.
    @discardableResult
    func run(_ statement: String, database: String? = nil) async throws -> [String: Any] {
        var query = "q=" + percentEncoded(statement)
        if let database {
            query += "&db=" + percentEncoded(database)
        }
        var request = HTTPClientRequest(url: "\(url)/query?\(query)")
        request.method = .POST
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
        guard response.status == .ok else {
            throw QueryFailed(message: "HTTP \(response.status.code): \(String(buffer: body))")
        }
        return json
    }

    /// `SELECT count(field) FROM measurement`, 0 when there is no such series.
    func count(_ field: String, in measurement: String, database: String) async throws -> Int {
        let json = try await run("SELECT count(\"\(field)\") FROM \"\(measurement)\"", database: database)
        let results = json["results"] as? [[String: Any]]
        let series = results?.first?["series"] as? [[String: Any]]
        let values = series?.first?["values"] as? [[Any]]
        return (values?.first?.last as? NSNumber)?.intValue ?? 0
    }

    /// Answers 204 to `/ping`.
    func isUp() async -> Bool {
        let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(url)/ping"), timeout: .seconds(1))
        return response?.status == .noContent
    }

    struct QueryFailed: Error {
        var message: String
    }

    private func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
