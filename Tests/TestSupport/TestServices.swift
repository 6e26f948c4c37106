import Foundation

/// Addresses of the real servers that `scripts/with-services.sh` starts for the integration tests.
///
/// The script exports them as environment variables. Outside CI a missing address disables the
/// tests that need it (run them through the script); under `CI=true` those tests are enabled and
/// fail with a clear message instead, so an integration test can never pass by being skipped.
public enum TestServices {
    /// `host:port` of the Kafka-protocol broker (`COINFLUX_TEST_KAFKA`).
    public static let kafkaVariable = "COINFLUX_TEST_KAFKA"
    /// Base URL of InfluxDB 1.x, e.g. `http://127.0.0.1:8086` (`COINFLUX_TEST_INFLUXDB`).
    public static let influxVariable = "COINFLUX_TEST_INFLUXDB"

    /// True when running in CI, where a missing server is a failure rather than a skip.
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Whether tests that need the server named by `variable` should run: it is configured, or we are in CI.
    public static func shouldRun(needing variable: String) -> Bool {
        isCI || value(of: variable) != nil
    }

    /// The configured address, or an error naming the variable and the script that sets it.
    public static func require(_ variable: String) throws -> String {
        guard let address = value(of: variable) else {
            throw MissingService(variable: variable)
        }
        return address
    }

    static func value(of variable: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { return nil }
        return value
    }

    /// Thrown when an integration test runs without its server's address.
    public struct MissingService: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: run the tests through scripts/test.sh (or scripts/with-services.sh), which starts the real servers"
        }
    }
}
