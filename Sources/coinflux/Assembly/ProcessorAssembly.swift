import CoinfluxCore
import Collector
import Foundation
import InfluxWriter
import Kafka
import Logging
import Processor
import Prometheus
import Telemetry

/// Builds the processor's parts from the configuration.
enum ProcessorAssembly {
    /// The processor settings (`processor.*`, topics, batch sizes).
    static func settings(_ configuration: CoinfluxConfiguration) -> ProcessorSettings {
        let processor = configuration.processor
        let statistics: PriceStatistics.Configuration
        do {
            statistics = try PriceStatistics.Configuration(alpha: processor.emaAlpha, halfLives: processor.emaHalfLives)
        } catch {
            // The configuration reader checked α and the half-lives already.
            ProcessBootstrap.fail("invalid processor statistics settings: \(error)")
        }
        return ProcessorSettings(
            ticksTopic: configuration.kafka.ticksTopic,
            fxTopic: configuration.kafka.fxTopic,
            deadLetterTopic: configuration.kafka.deadLetterTopic,
            derivation: PointDeriver.Settings(statistics: statistics, referenceExchange: processor.referenceExchange),
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
                                         connections: influx.connections)
    }

    /// The ticks consumer of the configured group, with the `kafka.properties`.
    static func consumerConfiguration(_ configuration: CoinfluxConfiguration) -> KafkaConsumerConfiguration {
        KafkaProcessor.consumerConfiguration(bootstrapServers: configuration.kafka.bootstrapServers, groupID: configuration.processor.group,
                                             caughtUpPause: configuration.kafka.caughtUpPause, properties: configuration.kafka.properties)
    }

    /// The consumer-group processor of `coinflux process` (and of `coinflux run` with Kafka),
    /// dead-lettering through `producer`.
    static func kafkaProcessor(
        _ configuration: CoinfluxConfiguration, writer: any PointWriter, producer: KafkaProducer,
        metrics: ProcessorMetrics, readiness: Readiness, logger: Logger
    ) -> KafkaProcessor {
        KafkaProcessor(
            settings: settings(configuration),
            consumerConfiguration: consumerConfiguration(configuration),
            writer: writer,
            deadLetters: KafkaDeadLetterSink(producer: producer, topic: configuration.kafka.deadLetterTopic, logger: logger),
            metrics: metrics, readiness: readiness, logger: logger)
    }

    /// The InfluxDB writer, or the line-protocol file when `allowFile` and no InfluxDB is configured.
    static func writer(_ configuration: CoinfluxConfiguration, metrics: ProcessorMetrics, allowFile: Bool, logger: Logger) -> any PointWriter {
        if let writerConfiguration = writerConfiguration(configuration) {
            do {
                return try InfluxWriter(configuration: writerConfiguration, metrics: metrics, logger: logger)
            } catch {
                ProcessBootstrap.fail("cannot create the InfluxDB writer: \(error)")
            }
        }
        guard allowFile else {
            ProcessBootstrap.fail("influxdb.url is not set: coinflux process needs an InfluxDB to write to")
        }
        do {
            let file = try LineProtocolFile(path: configuration.run.pointsFile)
            logger.notice("no InfluxDB configured (influxdb.url): appending line protocol to \(file.path)")
            return file
        } catch {
            ProcessBootstrap.fail("\(error)")
        }
    }
}

/// Hands the feeds' events to the in-process queue of `coinflux run` without Kafka; what does
/// not fit is counted as dropped.
struct QueueEventSink: MarketEventSink {
    let queue: EventQueue
    let queued: Counter
    let dropped: Counter

    init(queue: EventQueue, metrics: Metrics) {
        self.queue = queue
        queued = metrics.counter(MetricCatalogue.producerMessages, "in-process", "queued")
        dropped = metrics.counter(MetricCatalogue.producerMessages, "in-process", "dropped")
    }

    func publish(_ events: [MarketEvent]) {
        let refused = queue.offer(events)
        queued.increment(by: Int64(events.count - refused))
        if refused > 0 { dropped.increment(by: Int64(refused)) }
    }
}
