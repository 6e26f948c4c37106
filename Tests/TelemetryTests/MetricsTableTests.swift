import Foundation
import TestSupport
import Testing

@testable import Telemetry

/// The metrics table in `docs/metrics.md` is the documentation of the metric contract: it must
/// list exactly the catalogue's metrics, with their types, labels and meanings.
@Suite("docs/metrics.md metrics table")
struct MetricsTableTests {
    /// The table as `docs/metrics.md` must show it, rendered from the catalogue.
    static func expectedTable() -> String {
        var lines = ["| metric | type | labels | meaning | exported by |", "|---|---|---|---|---|"]
        for definition in MetricCatalogue.all {
            let labels = definition.labels.isEmpty ? "—" : definition.labels.map { "`\($0)`" }.joined(separator: ", ")
            let roles = definition.exportedBy.map(\.rawValue).sorted().joined(separator: ", ")
            lines.append("| `\(definition.name)` | \(definition.kind.rawValue) | \(labels) | \(definition.help) | \(roles) |")
        }
        return lines.joined(separator: "\n")
    }

    @Test func metricsTableMatchesTheCatalogue() throws {
        let table = try DocsPage.markedSection("metrics-table", of: "metrics.md")
        // To regenerate: COINFLUX_PRINT_METRICS_TABLE=1 swift test --filter MetricsTableTests
        if ProcessInfo.processInfo.environment["COINFLUX_PRINT_METRICS_TABLE"] != nil { print(Self.expectedTable()) }
        #expect(table == Self.expectedTable(), "docs/metrics.md metrics table differs from MetricCatalogue")
    }
}
