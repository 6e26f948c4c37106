import CoinfluxCore
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
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

    /// The `/metrics`, `/healthz`, `/readyz` server on `telemetry.listen`, its address checked:
    /// a port in use or an address of another host fails here, before anything else starts.
    static func telemetryServer(_ configuration: CoinfluxConfiguration, metrics: Metrics, readiness: Readiness,
                                logger: Logger) async throws -> TelemetryServer {
        let server = try TelemetryServer(listen: configuration.telemetryListen, metrics: metrics, readiness: readiness,
                                         version: VersionCommand.version, logger: logger)
        try await server.checkAddress()
        return server
    }

    /// The periodic `status:` line (`log.status_interval`); parts register their sources.
    static func statusReport(_ configuration: CoinfluxConfiguration, logger: Logger) -> StatusReport {
        StatusReport(interval: configuration.statusInterval, logger: logger)
    }

    /// Runs `services` until SIGTERM or SIGINT (or until one fails), then shuts them down in
    /// reverse order within `deadline`; past it they are cancelled, and 5 s later the process
    /// exits regardless (``ShutdownDeadline``).
    static func run(_ services: [any Service], deadline: Duration, logger: Logger) async throws {
        let all = services + [ShutdownDeadline(deadline: deadline + .seconds(5), logger: logger)]
        var configuration = ServiceGroupConfiguration(
            services: all.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup) },
            logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = deadline
        try await ServiceGroup(configuration: configuration).run()
    }

    /// A Kafka producer with the `kafka.properties`, but for the processor's static membership
    /// (`group.instance.id`), a consumer's property librdkafka would warn about.
    static func kafkaProducer(_ configuration: CoinfluxConfiguration, logger: Logger) throws -> KafkaProducer {
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: configuration.kafka.bootstrapServers)
        producerConfiguration.additionalProperties = configuration.kafka.properties.filter { $0.key != "group.instance.id" }
        return try KafkaProducer(configuration: producerConfiguration, logger: logger)
    }

    /// Watches the brokers (`/readyz` check `kafka`, a log line per change) and, the first time
    /// one answers, creates the topics coinflux uses if they do not exist yet: the ticks topic
    /// with the configured partitions, the FX and dead-letter topics with one partition each, and
    /// with order books on (collector or processor) the books topic with the ticks topic's partitions.
    static func kafkaWatch(_ configuration: CoinfluxConfiguration, readiness: Readiness, logger: Logger) throws -> DependencyWatch {
        let kafka = configuration.kafka
        var adminConfiguration = KafkaAdminConfiguration(bootstrapServers: kafka.bootstrapServers)
        adminConfiguration.additionalProperties = kafka.properties
        let admin = try KafkaAdmin(configuration: adminConfiguration, logger: logger)
        let topicsEnsured = TopicsEnsured()
        let usesBooks = configuration.processor.books || configuration.feeds.values.contains { $0.enabled && !$0.books.isEmpty }
        return DependencyWatch(name: "kafka", settings: "kafka.brokers", grace: configuration.startupGrace, interval: .seconds(5),
                               readiness: readiness, logger: logger) {
            do {
                try await admin.checkBrokers()
                if !topicsEnsured.value.load(ordering: .relaxed) {
                    try await admin.createTopic(kafka.ticksTopic, partitions: kafka.partitions, acceptExisting: true)
                    try await admin.createTopic(kafka.fxTopic, partitions: 1, acceptExisting: true)
                    try await admin.createTopic(kafka.deadLetterTopic, partitions: 1, acceptExisting: true)
                    if usesBooks { try await admin.createTopic(kafka.booksTopic, partitions: kafka.partitions, acceptExisting: true) }
                    topicsEnsured.value.store(true, ordering: .relaxed)
                }
                return .available
            } catch let error as KafkaError where error.code == .hostNotFound {
                return .misconfigured(error.message)
            } catch {
                return .unavailable("\(error)")
            }
        }
    }
}

/// Whether the topics were created (or found) once.
private final class TopicsEnsured: Sendable {
    let value = Atomic<Bool>(false)
}
