import ArgumentParser
import Foundation
import InfluxWriter
import Kafka
import Processor
import Telemetry
import TelemetryServer

/// Why a command could not run: printed as one line, `coinflux: <message>`, with exit status 2
/// for a configuration that cannot work as written and 1 for everything else (a port in use, a
/// dependency that stayed misconfigured, a fatal error at run time). Never a trap or a backtrace.
struct CommandFailure: Error, CustomStringConvertible {
    enum Kind {
        case configuration, runtime

        var exitCode: ExitCode { self == .configuration ? ExitCode(2) : ExitCode(1) }
    }

    var kind: Kind
    var message: String

    var description: String { message }

    /// Runs a command's body; any error ends the process with one line on standard error and the
    /// kind's exit status.
    static func reported(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let failure = CommandFailure(error)
            FileHandle.standardError.write(Data("coinflux: \(failure.message)\n".utf8))
            throw failure.kind.exitCode
        }
    }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The failure an error stands for, naming the setting involved where it is known.
    init(_ error: any Error) {
        switch error {
        case let failure as CommandFailure:
            self = failure
        case let failure as DependencyFailure:
            self.init(.runtime, failure.description)
        case let failure as TelemetryServerError:
            self.init(.runtime, "telemetry.listen: \(failure.reason)")
        case let failure as LineProtocolFile.OpenError:
            self.init(.runtime, "run.points_file: \(failure)")
        case let failure as KafkaError where failure.code == .invalidConfiguration:
            self.init(.configuration, "invalid configuration: kafka.properties: \(failure.message)")
        case let failure as InfluxWriterConfiguration.ValidationError:
            self.init(.configuration, "invalid configuration: influxdb: \(failure)")
        default:
            self.init(.runtime, "\(error)")
        }
    }
}
