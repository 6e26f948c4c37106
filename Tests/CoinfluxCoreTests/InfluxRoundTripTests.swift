import CoinfluxCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The nasty table of `LineProtocolTests`, written to a real InfluxDB 1.x and read back: every
/// tag, field (type and value, bit for bit) and timestamp must come back as written, skipped
/// fields and empty tags must be absent.
///
/// Findings on InfluxDB 1.6.7 (all asserted below, nothing adjusted):
/// - `-0.0` is stored with its sign and returned as `-0` in JSON.
/// - `1.7976931348623157e+308`, `5e-324` and `1e+21` come back exactly.
/// - Integral floats come back as JSON `1`; the type is still `float` (`SHOW FIELD KEYS`).
/// - A backslash in a tag is stored as written (`C:\dir\file`).
/// - Absent tags of a series show as `""` in `GROUP BY *` results.
@Suite(.serialized) struct InfluxRoundTripTests {
    @Test(.enabled(if: TestServices.shouldRun(needing: TestServices.influxVariable)))
    func nastyTableRoundTrips() async throws {
        let influx = InfluxHTTP(base: try TestServices.require(TestServices.influxVariable))
        let database = "coinflux_roundtrip_\(UInt32.random(in: 0...UInt32.max))"
        try await influx.query("CREATE DATABASE \(database)", database: nil)

        let points = try NastyPoints.all()
        var buffer = LineProtocol.Buffer()
        for point in points {
            let outcome = buffer.append(point.measurement, timestampNanos: point.timestampNanos, point.build)
            #expect(outcome == .written(skippedFields: point.skippedFields), "\(point.label)")
        }
        try await influx.write(buffer.bytes, database: database)

        let fieldTypes = try await influx.fieldTypes(database: database)
        let series = try await influx.query("SELECT * FROM /.*/ GROUP BY *", database: database)

        for point in points {
            let name = point.measurement.name
            // With GROUP BY *, a series lists every tag key of its measurement; absent ones are "".
            let matching = series.filter { candidate in
                candidate.name == name && (candidate.tags ?? [:]).filter { !$0.value.isEmpty } == point.storedTags
            }
            #expect(matching.count == 1, "\(point.label): \(matching.count) series with tags \(point.storedTags)")
            guard let found = matching.first else { continue }
            let rows = found.values.filter { $0.first?.integer == point.timestampNanos }
            #expect(rows.count == 1, "\(point.label): \(rows.count) rows at \(point.timestampNanos)")
            guard let row = rows.first else { continue }

            var returned: [String: InfluxHTTP.Cell] = [:]
            for (column, cell) in zip(found.columns, row) where column != "time" && !cell.isNull {
                returned[column] = cell
            }
            #expect(Set(returned.keys) == Set(point.storedFields.keys), "\(point.label): fields")
            for (key, expected) in point.storedFields {
                guard let cell = returned[key] else { continue }
                let type = fieldTypes[name]?[key]
                switch expected {
                case .float(let value):
                    #expect(type == "float", "\(point.label) \(key)")
                    #expect(cell.double?.bitPattern == value.bitPattern, "\(point.label) \(key): \(String(describing: cell.double)) vs \(value)")
                case .integer(let value):
                    #expect(type == "integer", "\(point.label) \(key)")
                    #expect(cell.integer == value, "\(point.label) \(key)")
                case .string(let value):
                    #expect(type == "string", "\(point.label) \(key)")
                    #expect(cell.string == value, "\(point.label) \(key)")
                case .boolean(let value):
                    #expect(type == "boolean", "\(point.label) \(key)")
                    #expect(cell.boolean == value, "\(point.label) \(key)")
                }
            }
        }
        // Nothing else arrived: one row per point.
        #expect(series.reduce(0) { $0 + $1.values.count } == points.count)

        try await influx.query("DROP DATABASE \(database)", database: nil)
    }
}
