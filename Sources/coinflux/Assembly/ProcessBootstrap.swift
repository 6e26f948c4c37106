import Foundation
import Kafka
import Logging

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
