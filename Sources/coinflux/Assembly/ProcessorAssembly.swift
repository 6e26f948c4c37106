import CoinfluxCore
import InfluxWriter
import Kafka
import Logging
import Processor
import ProcessorCore
import ProcessorKafka
import Telemetry

/// Builds the processor's parts from the configuration.
enum ProcessorAssembly {
    /// The processor settings (`processor.*`, topics, batch sizes).
    static func settings(_ configuration: CoinfluxConfiguration) throws -> ProcessorSettings {
        let processor = configuration.processor
        let statistics: PriceStatistics.Configuration
        do {
            statistics = try PriceStatistics.Configuration(alpha: processor.emaAlpha, halfLives: processor.emaHalfLives)
        } catch {
            throw CommandFailure(.configuration, "invalid configuration: processor.ema_alpha / processor.ema_half_lives: \(error)")
        }
        return ProcessorSettings(
            ticksTopic: configuration.kafka.ticksTopic,
            fxTopic: configuration.kafka.fxTopic,
            deadLetterTopic: configuration.kafka.deadLetterTopic,
            derivation: PointDeriver.Settings(statistics: statistics, referenceExchange: processor.referenceExchange,
                                              maxFXRateAge: processor.fxRateMaxAge, candleRevisionHorizon: processor.candleRevisionHorizon,
                                              orderbookInterval: processor.orderbookInterval, premiumSizeKRW: processor.premiumSize),
            batchPoints: configuration.influxDB.batchLines * configuration.influxDB.connections,
            flushInterval: configuration.influxDB.flushInterval,
            warmupMessages: processor.warmupMessages,
            watchlist: Set(processor.watchlist),
            commitInterval: processor.commitInterval,
            shutdownTimeout: processor.shutdownTimeout)
    }

    /// The InfluxDB writer settings, or nil when `influxdb.url` is not set.
    static func writerConfiguration(_ configuration: CoinfluxConfiguration) -> InfluxWriterConfiguration? {
        let influx = configuration.influxDB
        guard let url = influx.url else { return nil }
        let api: InfluxWriterConfiguration.API = switch influx.api {
        case .v1:
            .v1(database: influx.database, retentionPolicy: influx.retentionPolicy, username: influx.username,
                password: influx.password.map { Secret($0) })
        case .v2:
            .v2(organization: influx.org ?? "", bucket: influx.bucket, token: Secret(influx.token ?? ""))
        }
        return InfluxWriterConfiguration(url: url.absoluteString, api: api, maxLinesPerRequest: influx.batchLines,
                                         connections: influx.connections, trustedCertificatesFile: influx.caFile)
    }

    /// The Kafka source of `coinflux process` (and of `coinflux run` with Kafka): a member of
    /// `processor.group` on the ticks topic, with the `kafka.properties`; with `books`, a member
    /// of `<processor.group>-books` on the books topic instead.
    static func kafkaSource(_ configuration: CoinfluxConfiguration, books: Bool = false, metrics: ProcessorMetrics, logger: Logger) throws -> KafkaEventSource {
        let kafka = configuration.kafka
        let consumer = KafkaEventSource.consumerConfiguration(
            bootstrapServers: kafka.bootstrapServers, groupID: configuration.processor.group + (books ? "-books" : ""),
            caughtUpPause: kafka.caughtUpPause, properties: kafka.properties)
        return try KafkaEventSource(consumerConfiguration: consumer, ticksTopic: books ? kafka.booksTopic : kafka.ticksTopic, fxTopic: kafka.fxTopic,
                                    warmupMessages: configuration.processor.warmupMessages,
                                    warmupWindow: configuration.processor.warmupWindow, metrics: metrics, logger: logger)
    }

    /// The InfluxDB writer. Create it last before the service group runs: it owns a connection
    /// pool that must be shut down (it is a service, listed first so it stops last).
    static func influxWriter(_ writerConfiguration: InfluxWriterConfiguration, metrics: ProcessorMetrics, logger: Logger) throws -> InfluxWriter {
        try InfluxWriter(configuration: writerConfiguration, metrics: metrics, logger: logger)
    }

    /// Waits at start until InfluxDB accepts writes (`/readyz` check `influxdb`), see ``InfluxWriter/probe()``.
    static func influxWatch(_ writer: InfluxWriter, _ configuration: CoinfluxConfiguration, readiness: Readiness, logger: Logger) -> DependencyWatch {
        let credentials = switch configuration.influxDB.api {
        case .v1: "influxdb.database, influxdb.username, influxdb.password"
        case .v2: "influxdb.org, influxdb.bucket, influxdb.token"
        }
        return DependencyWatch(name: "influxdb", settings: "influxdb.url, \(credentials)", grace: configuration.startupGrace,
                               readiness: readiness, logger: logger) { await writer.probe() }
    }

    /// The line-protocol file of `coinflux run` without InfluxDB (`run.points_file`).
    static func pointsFile(_ configuration: CoinfluxConfiguration, logger: Logger) throws -> LineProtocolFile {
        let file = try LineProtocolFile(path: configuration.run.pointsFile, logger: logger)
        logger.notice("no InfluxDB configured (influxdb.url): appending line protocol to \(file.path)")
        return file
    }
}
