import NIOConcurrencyHelpers
import Testing

@testable import InfluxWriter

@Suite("Configuration")
struct ConfigurationTests {
    static let token = "s3cr3t-T0KEN-value"
    static let password = "pa55-W0RD-value"
    static let v2 = InfluxWriterConfiguration(
        url: "http://influx.example:8086",
        api: .v2(organization: "acme corp", bucket: "market/ticks", token: Secret(token))
    )
    static let v1 = InfluxWriterConfiguration(
        url: "https://influx.example/proxy/",
        api: .v1(database: "coinflux", retentionPolicy: "one&week", username: "writer", password: Secret(password))
    )

    @Test("no textual form of the configuration contains the token or the password")
    func redacted() {
        for configuration in [Self.v1, Self.v2] {
            var dumped = ""
            dump(configuration, to: &dumped)
            var dumpedAPI = ""
            dump(configuration.api, to: &dumpedAPI)
            let forms = [
                configuration.description, configuration.debugDescription, "\(configuration)",
                String(describing: configuration), String(reflecting: configuration), dumped, dumpedAPI,
                String(reflecting: configuration.api), "\(configuration.api)",
            ]
            for form in forms {
                #expect(!form.contains(Self.token))
                #expect(!form.contains(Self.password))
            }
            #expect(configuration.description.contains("<redacted>"))
        }
        #expect(Self.v2.description.contains("org=acme corp bucket=market/ticks token=<redacted>"))
        #expect(Self.v1.description.contains("user=writer password=<redacted>"))
    }

    @Test("the writer's log output never contains the credentials")
    func notLogged() async throws {
        let lines = NIOLockedValueBox<[String]>([])
        for configuration in [Self.v1, Self.v2] {
            try await InfluxWriter.withWriter(configuration: configuration, logger: capturingLogger(lines)) { _ in }
        }
        let logged = lines.withLockedValue { $0 }
        #expect(logged.count == 2)
        #expect(logged.allSatisfy { !$0.contains(Self.token) && !$0.contains(Self.password) })
    }

    @Test("v2 endpoint: path, encoded query, token and gzip headers")
    func v2Endpoint() throws {
        let endpoint = try WriteEndpoint(Self.v2)
        #expect(endpoint.url == "http://influx.example:8086/api/v2/write?org=acme%20corp&bucket=market%2Fticks&precision=ns")
        #expect(endpoint.headers.first(name: "Authorization") == "Token \(Self.token)")
        #expect(endpoint.headers.first(name: "Content-Encoding") == "gzip")
        #expect(endpoint.headers.first(name: "Content-Type") == "text/plain; charset=utf-8")
    }

    @Test("v1 endpoint: path prefix kept, rp and basic auth, no gzip header when off")
    func v1Endpoint() throws {
        let endpoint = try WriteEndpoint(Self.v1.with { $0.gzip = false })
        #expect(endpoint.url == "https://influx.example/proxy/write?db=coinflux&rp=one%26week&precision=ns")
        // base64("writer:pa55-W0RD-value")
        #expect(endpoint.headers.first(name: "Authorization") == "Basic d3JpdGVyOnBhNTUtVzBSRC12YWx1ZQ==")
        #expect(endpoint.headers.first(name: "Content-Encoding") == nil)
        let anonymous = try WriteEndpoint(InfluxWriterConfiguration(url: "http://h:8086", api: .v1(database: "d")))
        #expect(anonymous.url == "http://h:8086/write?db=d&precision=ns")
        #expect(anonymous.headers.first(name: "Authorization") == nil)
    }

    @Test("unusable configurations are refused without echoing credentials")
    func invalid() {
        let bad: [InfluxWriterConfiguration] = [
            Self.v2.with { $0.url = "ftp://h:21" },
            Self.v2.with { $0.url = "influx:8086" },
            Self.v2.with { $0.url = "http://user:\(Self.password)@h:8086" },
            Self.v2.with { $0.url = "http://h:8086/?db=x" },
            Self.v2.with { $0.api = .v1(database: "") },
            Self.v2.with { $0.api = .v2(organization: "o", bucket: "", token: "t") },
            Self.v2.with { $0.connections = 0 },
            Self.v2.with { $0.maxLinesPerRequest = 0 },
            Self.v2.with { $0.retry.jitter = 2 },
            Self.v2.with { $0.retry.maxBackoff = .milliseconds(1) },
            Self.v2.with { $0.timeouts.request = .zero },
        ]
        for configuration in bad {
            #expect(throws: InfluxWriterConfiguration.ValidationError.self) { try configuration.validate() }
            do {
                try configuration.validate()
            } catch {
                #expect(!error.description.contains(Self.password))
            }
            #expect(!configuration.description.contains(Self.password))
        }
        #expect(throws: Never.self) { try Self.v1.validate() }
        let withUserInfo = Self.v2.with { $0.url = "http://user:p@ss\(Self.password)@h:8086/x@y" }
        #expect(withUserInfo.redactedURL == "http://<redacted>@h:8086/x@y")
    }
}
