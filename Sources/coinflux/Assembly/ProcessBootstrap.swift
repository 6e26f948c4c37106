import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Telemetry
import TelemetryServer

/// Process-wide setup shared by the long-running subcommands.
enum ProcessBootstrap {
    /// Sends swift-log output to standard error at the configured level. Call once per process.
    static func logger(level: CoinfluxConfiguration.LogLevel, label: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level.rawValue) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        return Logger(label: label)
    }

    /// Creates the topics coinflux uses if they do not exist yet: the ticks topic with the
    /// configured partitions, the FX and dead-letter topics with one partition each.
    static func ensureTopics(_ kafka: CoinfluxConfiguration.Kafka, logger: Logger) async throws {
        var configuration = KafkaAdminConfiguration(bootstrapServers: kafka.bootstrapServers)
        configuration.additionalProperties = kafka.properties
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        try await admin.createTopic(kafka.ticksTopic, partitions: kafka.partitions, acceptExisting: true)
        try await admin.createTopic(kafka.fxTopic, partitions: 1, acceptExisting: true)
        try await admin.createTopic(kafka.deadLetterTopic, partitions: 1, acceptExisting: true)
    }

    /// The `/metrics`, `/healthz`, `/readyz` server on `telemetry.listen`; a bad address exits with status 1.
    static func telemetryServer(_ configuration: CoinfluxConfiguration, metrics: Metrics, readiness: Readiness, logger: Logger) -> TelemetryServer {
        do {
            return try TelemetryServer(listen: configuration.telemetryListen, metrics: metrics, readiness: readiness,
                                       version: VersionCommand.version, logger: logger)
        } catch {
            fail("\(error)")
        }
    }

    /// Runs `services` until SIGTERM or SIGINT, then shuts them down in reverse order within `deadline`.
    static func run(_ services: [any Service], deadline: Duration, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = deadline
        try await ServiceGroup(configuration: configuration).run()
    }

    /// A Kafka producer with the `kafka.properties`; failing to create one exits with status 1.
    static func kafkaProducer(_ configuration: CoinfluxConfiguration, logger: Logger) -> KafkaProducer {
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: configuration.kafka.bootstrapServers)
        producerConfiguration.additionalProperties = configuration.kafka.properties
        do {
            return try KafkaProducer(configuration: producerConfiguration, logger: logger)
        } catch {
            ProcessBootstrap.fail("cannot create the Kafka producer: \(error)")
        }
    }

    /// ``ensureTopics(_:logger:)``, logging a failure instead of stopping: clients wait for the
    /// broker, and an operator may create the topics.
    static func ensureTopicsOrWarn(_ kafka: CoinfluxConfiguration.Kafka, logger: Logger) async {
        do {
            try await ensureTopics(kafka, logger: logger)
        } catch {
            logger.warning("could not ensure the Kafka topics exist", metadata: ["error": "\(error)"])
        }
    }

    /// Prints a startup failure the way configuration errors are printed, and exits with status 1.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("coinflux: \(message)\n".utf8))
        exit(1)
    }
}

extension CoinfluxConfiguration.Kafka {
    /// `brokers` split into the list librdkafka takes.
    var bootstrapServers: [String] {
        brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
