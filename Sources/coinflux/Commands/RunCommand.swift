import ArgumentParser
import CoinfluxCore
import Collector
import Kafka
import Processor
import ProcessorKafka
import ServiceLifecycle
import Telemetry

/// `coinflux run`: feeds and processor in one process. Uses Kafka when `kafka.brokers` is
/// configured and a bounded in-process queue otherwise; writes to InfluxDB when `influxdb.url` is
/// configured and appends line protocol to `run.points_file` otherwise.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Collector and processor in one process, for a single machine.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        try await CommandFailure.reported {
            let logger = ProcessBootstrap.logger(level: configuration.logLevel, label: "coinflux.run")
            let metrics = Metrics()
            let readiness = Readiness()
            let processorMetrics = ProcessorMetrics(metrics: metrics, ticksTopic: configuration.kafka.ticksTopic)
            let settings = try ProcessorAssembly.settings(configuration)
            let telemetry = try await ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger)

            // Intake (feeds) last in start order, so shutdown stops them before the processor drains.
            var services: [any Service] = []
            var startupChecks: [DependencyWatch] = []
            let sink: any MarketEventSink
            let source: any EventSource
            let deadLetters: any DeadLetterSink
            var kafkaProducer: KafkaProducer?
            if configuration.kafka.isConfigured {
                let kafka = try ProcessBootstrap.kafkaWatch(configuration, readiness: readiness, logger: logger)
                let producer = try ProcessBootstrap.kafkaProducer(configuration, logger: logger)
                kafkaProducer = producer
                sink = KafkaEventSink(producer: producer, ticksTopic: configuration.kafka.ticksTopic,
                                      fxTopic: configuration.kafka.fxTopic, metrics: metrics, logger: logger)
                source = try ProcessorAssembly.kafkaSource(configuration, metrics: processorMetrics, logger: logger)
                deadLetters = KafkaDeadLetterSink(producer: producer, topic: configuration.kafka.deadLetterTopic, logger: logger)
                services += [ProducerService(producer: producer, metrics: metrics, logger: logger), kafka]
                startupChecks.append(kafka)
            } else {
                logger.notice("no Kafka configured (kafka.brokers): using an in-process queue of \(configuration.run.queueCapacity) events")
                let queue = EventQueue(capacity: configuration.run.queueCapacity, metrics: metrics)
                sink = queue
                source = QueueEventSource(queue: queue)
                deadLetters = LogDeadLetterSink(logger: logger)
            }
            let status = ProcessBootstrap.statusReport(configuration, logger: logger)
            status.register("processor") { interval in processorMetrics.status(over: interval) }
            guard FeedAssembly.hasFeeds(configuration) else {
                throw CommandFailure(.configuration, "invalid configuration: no exchange feed is enabled with symbols (collector.<exchange>.enabled, collector.<exchange>.symbols)")
            }
            let writer: any PointWriter
            if let writerConfiguration = ProcessorAssembly.writerConfiguration(configuration) {
                let influx = try ProcessorAssembly.influxWriter(writerConfiguration, metrics: processorMetrics, logger: logger)
                startupChecks.append(ProcessorAssembly.influxWatch(influx, configuration, readiness: readiness, logger: logger))
                services.insert(influx, at: 0)  // first started, last stopped
                writer = influx
            } else {
                writer = try ProcessorAssembly.pointsFile(configuration, logger: logger)
            }
            let processor = Processor(source: source, settings: settings, writer: writer, deadLetters: deadLetters,
                                      metrics: processorMetrics, readiness: readiness, startupChecks: startupChecks, logger: logger)
            let restClient = FeedAssembly.restClient(configuration)
            let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: readiness, status: status,
                                           restClient: restClient, logger: logger)
            if let kafkaProducer {
                FeedAssembly.reportFailedDeliveries(of: kafkaProducer, to: feeds)
                services.append(FeedAssembly.restartResume(configuration, feeds: feeds, logger: logger))
            }
            services += [telemetry, status, processor] + (restClient.map { [$0] } ?? []) + feeds.flatMap(\.services)
                + FeedAssembly.discoveries(configuration, feeds: feeds, logger: logger)
            try await ProcessBootstrap.run(services, deadline: configuration.processor.shutdownTimeout + .seconds(15), logger: logger)
        }
    }
}
