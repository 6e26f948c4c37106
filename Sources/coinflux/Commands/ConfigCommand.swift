import ArgumentParser

/// `coinflux config`: validates the configuration and prints the effective values, secrets redacted.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration and print the effective values (exit status 2 if invalid).")

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        print(try options.load().effectiveSummary())
    }
}
