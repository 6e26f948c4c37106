import ArgumentParser
import Foundation

/// The options every long-running subcommand takes to find its configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "YAML configuration file (default: built-in defaults).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key, e.g. --set kafka.brokers=127.0.0.1:9092 (repeatable).", valueName: "key=value"))
    var assignments: [String] = []

    /// Loads the configuration; on an invalid one prints the reason and exits with status 2.
    func load() throws -> CoinfluxConfiguration {
        do {
            return try CoinfluxConfiguration.load(
                file: config, environment: ProcessInfo.processInfo.environment, assignments: assignments)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("coinflux: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
