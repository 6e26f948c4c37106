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
            let startup = try await ProcessorStartup(configuration, label: "coinflux.run")
            let (logger, metrics, readiness) = (startup.logger, startup.metrics, startup.readiness)

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
                                      fxTopic: configuration.kafka.fxTopic, booksTopic: configuration.kafka.booksTopic,
                                      metrics: metrics, logger: logger)
                source = try ProcessorAssembly.kafkaSource(configuration, metrics: startup.processorMetrics, logger: logger)
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
            guard FeedAssembly.hasFeeds(configuration) else {
                throw CommandFailure(.configuration, "invalid configuration: no exchange feed is enabled with symbols or books (collector.<exchange>.enabled, collector.<exchange>.symbols, collector.<exchange>.books)")
            }
            let writer: any PointWriter
            if let writerConfiguration = ProcessorAssembly.writerConfiguration(configuration) {
                let influx = try ProcessorAssembly.influxWriter(writerConfiguration, metrics: startup.processorMetrics, logger: logger)
                startupChecks.append(ProcessorAssembly.influxWatch(influx, configuration, readiness: readiness, logger: logger))
                services.insert(influx, at: 0)  // first started, last stopped
                writer = influx
            } else {
                writer = try ProcessorAssembly.pointsFile(configuration, logger: logger)
            }
            let processor = startup.processor(source: source, writer: writer, deadLetters: deadLetters, startupChecks: startupChecks)
            let bookProcessor = configuration.kafka.isConfigured
                ? try startup.bookProcessor(writer: writer, deadLetters: deadLetters, startupChecks: startupChecks) : nil
            let restClient = FeedAssembly.restClient(configuration)
            let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: readiness, status: startup.status,
                                           restClient: restClient, logger: logger)
            if let kafkaProducer {
                FeedAssembly.reportFailedDeliveries(of: kafkaProducer, to: feeds)
                services.append(FeedAssembly.restartResume(configuration, feeds: feeds, logger: logger))
            }
            var bookFeeds: [BookFeed] = []
            // Market status flags and the FX source's rates travel through Kafka too; without it they are not read.
            var pollers: [any Service] = []
            if let bookSink = sink as? KafkaEventSink {
                bookFeeds = FeedAssembly.bookFeeds(configuration, feeds: feeds, sink: bookSink, metrics: metrics, restClient: restClient, logger: logger)
                pollers = FeedAssembly.statusPollers(configuration, feeds: feeds, sink: bookSink, metrics: metrics, logger: logger) as [any Service]
                    + FeedAssembly.fxPollers(configuration, sink: bookSink, metrics: metrics, restClient: restClient, logger: logger)
            } else {
                if configuration.feeds.values.contains(where: { $0.enabled && !$0.books.isEmpty }) {
                    logger.warning("order books (collector.<exchange>.books) travel through Kafka: without kafka.brokers they are not kept")
                }
                if configuration.fxSource != nil {
                    logger.warning("FX rates (collector.fx_url) travel through Kafka: without kafka.brokers premiums have the usdt basis only")
                }
            }
            services += [startup.telemetry, startup.status, processor] + (bookProcessor.map { [$0] } ?? []) + (restClient.map { [$0] } ?? [])
                + feeds.flatMap(\.services)
                + bookFeeds + FeedAssembly.discoveries(configuration, feeds: feeds, logger: logger) + pollers
            try await startup.run(services)
        }
    }
}
