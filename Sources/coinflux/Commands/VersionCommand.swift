import ArgumentParser

/// `coinflux version`: prints the version.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    /// The released version; `coinflux_build_info` reports the same string.
    static let version = "0.1.0"

    func run() {
        print("coinflux \(Self.version)")
    }
}
