import Foundation
import TestSupport
import Testing
import CoinfluxCore

@testable import coinflux

/// The key table in `docs/configuration.md` is the documentation of the configuration: it must
/// list exactly the keys of `ConfigurationKeys`, with their defaults and meanings.
@Suite("docs/configuration.md key table")
struct ConfigurationTableTests {
    @Test func keyTableMatchesTheKeys() throws {
        let table = try DocsPage.markedSection("config-table", of: "configuration.md")
        // To regenerate: COINFLUX_PRINT_CONFIG_TABLE=1 swift test --filter ConfigurationTableTests
        if ProcessInfo.processInfo.environment["COINFLUX_PRINT_CONFIG_TABLE"] != nil { print(ConfigurationKeys.markdownTable) }
        #expect(table == ConfigurationKeys.markdownTable, "docs/configuration.md key table differs from ConfigurationKeys")
    }

    @Test("every key the reader knows is in the table, and every key in the table is read")
    func tableCoversEveryKey() throws {
        var reader = ConfigurationReader(file: RawSettings(), environment: [:], flags: RawSettings())
        _ = try CoinfluxConfiguration(reader: &reader)
        let read = Set(reader.knownKeys.map { key in
            Exchange.allCases.reduce(key) { name, exchange in
                ["enabled", "symbols", "quotes", "url", "rest_url", "rest_requests_per_second", "books"].contains(where: { name == "collector.\(exchange.rawValue).\($0)" })
                    ? name.replacingOccurrences(of: ".\(exchange.rawValue).", with: ".<exchange>.") : name
            }
        })
        #expect(read == Set(ConfigurationKeys.rows.map(\.name)))
    }
}
