import ArgumentParser
import Collector
import InfluxWriter
import Processor
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
        let logger = ProcessBootstrap.logger(level: configuration.logLevel, label: "coinflux.run")
        let metrics = Metrics()
        let readiness = Readiness()
        let processorMetrics = ProcessorMetrics(metrics: metrics, ticksTopic: configuration.kafka.ticksTopic)
        let writer = ProcessorAssembly.writer(configuration, metrics: processorMetrics, allowFile: true, logger: logger)
        let settings = ProcessorAssembly.settings(configuration)

        // Intake first in start order, so shutdown stops the feeds before the processor drains.
        var services: [any Service] = []
        let sink: any MarketEventSink
        if configuration.kafka.isConfigured {
            await ProcessBootstrap.ensureTopicsOrWarn(configuration.kafka, logger: logger)
            let producer = ProcessBootstrap.kafkaProducer(configuration, logger: logger)
            sink = KafkaEventSink(producer: producer, ticksTopic: configuration.kafka.ticksTopic,
                                  fxTopic: configuration.kafka.fxTopic, metrics: metrics, logger: logger)
            services.append(ProducerService(producer: producer, metrics: metrics, logger: logger))
            services.append(ProcessorAssembly.kafkaProcessor(
                configuration, writer: writer, producer: producer, metrics: processorMetrics, readiness: readiness, logger: logger))
        } else {
            logger.notice("no Kafka configured (kafka.brokers): using an in-process queue of \(configuration.run.queueCapacity) events")
            let queue = EventQueue(capacity: configuration.run.queueCapacity)
            sink = QueueEventSink(queue: queue, metrics: metrics)
            services.append(QueueProcessor(
                queue: queue, settings: settings, writer: writer, deadLetters: LogDeadLetterSink(logger: logger),
                metrics: processorMetrics, readiness: readiness, logger: logger))
        }
        let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: readiness, logger: logger)
        guard !feeds.isEmpty else {
            ProcessBootstrap.fail("no exchange feed is enabled (collector.<exchange>.enabled)")
        }
        services.append(ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger))
        services += feeds
        try await ProcessBootstrap.run(services, deadline: configuration.processor.shutdownTimeout + .seconds(15), logger: logger)
        try? await (writer as? InfluxWriter)?.shutdown()
    }
}
