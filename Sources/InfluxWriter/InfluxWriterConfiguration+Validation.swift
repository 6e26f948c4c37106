import Foundation

extension InfluxWriterConfiguration {
    /// Why a configuration cannot be used; thrown by ``InfluxWriter/init(configuration:metrics:logger:)``.
    public struct ValidationError: Error, Hashable, CustomStringConvertible {
        /// What is wrong, never containing a credential.
        public var message: String
        public var description: String { "invalid InfluxDB writer configuration: \(message)" }
    }

    /// Throws ``ValidationError`` unless the configuration can be used as is.
    func validate() throws(ValidationError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty
        else {
            throw ValidationError(message: "url must be an http:// or https:// URL with a host, got \(redactedURL)")
        }
        guard parsed.user == nil, parsed.password == nil else {
            throw ValidationError(message: "url must not carry credentials; set them in api")
        }
        guard parsed.query == nil, parsed.fragment == nil else {
            throw ValidationError(message: "url must not have a query or fragment, got \(redactedURL)")
        }
        switch api.kind {
        case .v1(let database, _, _, _):
            guard !database.isEmpty else { throw ValidationError(message: "the v1 database name is empty") }
        case .v2(let organization, let bucket, _):
            guard !organization.isEmpty, !bucket.isEmpty else {
                throw ValidationError(message: "the v2 organization and bucket must not be empty")
            }
        }
        guard maxLinesPerRequest > 0, maxBytesPerRequest > 0, connections > 0 else {
            throw ValidationError(message: "maxLinesPerRequest, maxBytesPerRequest and connections must be positive")
        }
        guard timeouts.connect > .zero, timeouts.request > .zero else {
            throw ValidationError(message: "timeouts must be positive")
        }
        guard retry.initialBackoff > .zero, retry.maxBackoff >= retry.initialBackoff, retry.heldInterval > .zero,
            (0...1).contains(retry.jitter)
        else {
            throw ValidationError(message: "retry needs 0 < initialBackoff <= maxBackoff, heldInterval > 0 and jitter in 0...1")
        }
    }

    /// `url` with any user-info part (`user:password@`) replaced, safe to print.
    var redactedURL: String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "<redacted>" + String(url[at...])
    }
}
