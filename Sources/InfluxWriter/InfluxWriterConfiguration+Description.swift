extension InfluxWriterConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// A one-line summary for logs. Credentials appear as `<redacted>`.
    public var description: String {
        let target: String
        switch api.kind {
        case .v1(let database, let retentionPolicy, let username, let password):
            let auth = username.map { " user=\($0) password=\(password?.description ?? "none")" } ?? ""
            target = "v1 db=\(database) rp=\(retentionPolicy ?? "default")\(auth)"
        case .v2(let organization, let bucket, let token):
            target = "v2 org=\(organization) bucket=\(bucket) token=\(token)"
        }
        let compression = gzip ? "gzip level \(gzipLevel)" : "no gzip"
        let trust = trustedCertificatesFile.map { ", CA file \($0)" } ?? ""
        return "InfluxDB \(redactedURL) \(target)\(trust), \(compression), \(connections) connections, "
            + "≤\(maxLinesPerRequest) lines/≤\(maxBytesPerRequest) bytes per request, "
            + "timeouts connect \(timeouts.connect) request \(timeouts.request), "
            + "backoff \(retry.initialBackoff)…\(retry.maxBackoff) jitter \(retry.jitter), held \(retry.heldInterval)"
    }

    public var debugDescription: String { description }
}
