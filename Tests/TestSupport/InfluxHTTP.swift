import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal InfluxDB 1.x HTTP client for tests: `/write` and `/query`.
public struct InfluxHTTP: Sendable {
    /// One value of a query result row, read every way it can be read.
    public struct Cell: Decodable, Sendable {
        public var isNull = false
        public var integer: Int64?
        public var double: Double?
        public var string: String?
        public var boolean: Bool?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                isNull = true
                return
            }
            integer = try? container.decode(Int64.self)
            double = try? container.decode(Double.self)
            string = try? container.decode(String.self)
            boolean = try? container.decode(Bool.self)
        }
    }

    public struct Series: Decodable, Sendable {
        public var name: String
        public var tags: [String: String]?
        public var columns: [String]
        public var values: [[Cell]]
    }

    private struct Response: Decodable {
        struct Statement: Decodable {
            var series: [Series]?
            var error: String?
        }
        var results: [Statement]?
        var error: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public var base: String

    public init(base: String) {
        self.base = base
    }

    public func write(_ body: [UInt8], database: String) async throws {
        var request = URLRequest(url: try url("/write", ["db": database, "precision": "ns"]))
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 204 else {
            throw Failure(description: "write: HTTP \(status): \(String(decoding: data, as: UTF8.self))")
        }
    }

    /// Runs InfluxQL; returns the series of the (single) statement.
    @discardableResult
    public func query(_ text: String, database: String?) async throws -> [Series] {
        var parameters = ["q": text, "epoch": "ns"]
        if let database { parameters["db"] = database }
        var request = URLRequest(url: try url("/query", parameters))
        request.httpMethod = "POST"
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw Failure(description: "query \(text): HTTP \(status): \(String(decoding: data, as: UTF8.self))")
        }
        let decoded = try JSONDecoder().decode(Response.self, from: data)
        if let error = decoded.error ?? decoded.results?.first?.error {
            throw Failure(description: "query \(text): \(error)")
        }
        return decoded.results?.first?.series ?? []
    }

    /// measurement → field key → type (`float`, `integer`, `string`, `boolean`).
    public func fieldTypes(database: String) async throws -> [String: [String: String]] {
        var types: [String: [String: String]] = [:]
        for series in try await query("SHOW FIELD KEYS", database: database) {
            for row in series.values {
                guard row.count == 2, let key = row[0].string, let type = row[1].string else { continue }
                types[series.name, default: [:]][key] = type
            }
        }
        return types
    }

    private func url(_ path: String, _ parameters: [String: String]) throws -> URL {
        guard var components = URLComponents(string: base + path) else {
            throw Failure(description: "bad InfluxDB address \(base)")
        }
        // URLComponents leaves `+` alone, which a form decoder reads as a space; encode it too.
        components.percentEncodedQueryItems = parameters.sorted { $0.key < $1.key }.map { name, value in
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&=;"))
            return URLQueryItem(name: name, value: value.addingPercentEncoding(withAllowedCharacters: allowed))
        }
        guard let url = components.url else { throw Failure(description: "bad URL for \(path)") }
        return url
    }
}
