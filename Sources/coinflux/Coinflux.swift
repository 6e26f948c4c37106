import ArgumentParser

/// The `coinflux` command: collector, processor, single-machine runner, simulator and tools.
@main
struct Coinflux: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coinflux",
        abstract: "Live crypto market data from five exchanges, through Kafka, into InfluxDB and Prometheus.",
        subcommands: [
            CollectCommand.self,
            ProcessCommand.self,
            RunCommand.self,
            SimulateCommand.self,
            DecodeCommand.self,
            ConfigCommand.self,
            VersionCommand.self,
        ]
    )
}
