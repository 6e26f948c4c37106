import ArgumentParser
import Foundation

// The subcommands below exist so that the command line, the configuration and the help are
// settled from the start. Each one validates its configuration and then states plainly that its
// service is not built yet, exiting with status 1; the issue that builds each is named.

/// `coinflux process`: Kafka → derived series → InfluxDB (issue #4).
struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "process", abstract: "Consume market events from Kafka and write derived series to InfluxDB.")
    @OptionGroup var options: ConfigurationOptions
    func run() throws { try notBuiltYet(options, "the processor (issue #4)") }
}

/// `coinflux run`: collector and processor in one process (issue #4).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Collector and processor in one process, for a single machine.")
    @OptionGroup var options: ConfigurationOptions
    func run() throws { try notBuiltYet(options, "the single-process runner (issue #4)") }
}

private func notBuiltYet(_ options: ConfigurationOptions, _ what: String) throws {
    _ = try options.load()
    FileHandle.standardError.write(Data("coinflux: configuration is valid, but \(what) is not built yet\n".utf8))
    throw ExitCode.failure
}
