import Foundation
import NIOHTTP1

/// The write URL and the headers every write request carries, computed and checked once from a
/// configuration.
struct WriteEndpoint: Sendable {
    /// Full URL including the query, e.g. `http://h:8086/api/v2/write?org=o&bucket=b&precision=ns`.
    let url: String
    /// `Content-Type`, `Accept`, `Authorization` when configured, `Content-Encoding` when gzipping.
    let headers: HTTPHeaders

    init(_ configuration: InfluxWriterConfiguration) throws(InfluxWriterConfiguration.ValidationError) {
        try configuration.validate()
        var base = configuration.url
        while base.hasSuffix("/") {
            base.removeLast()
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Accept", value: "application/json")
        if configuration.gzip {
            headers.add(name: "Content-Encoding", value: "gzip")
        }
        let path: String
        let query: [(String, String)]
        switch configuration.api.kind {
        case .v1(let database, let retentionPolicy, let username, let password):
            path = "/write"
            query = [("db", database)] + (retentionPolicy.map { [("rp", $0)] } ?? []) + [("precision", "ns")]
            if let username {
                let credentials = Data("\(username):\(password?.value ?? "")".utf8).base64EncodedString()
                headers.add(name: "Authorization", value: "Basic \(credentials)")
            }
        case .v2(let organization, let bucket, let token):
            path = "/api/v2/write"
            query = [("org", organization), ("bucket", bucket), ("precision", "ns")]
            headers.add(name: "Authorization", value: "Token \(token.value)")
        }
        let queryString = query.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        self.url = base + path + "?" + queryString
        self.headers = headers
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func percentEncoded(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return encoded
    }
}
