import ArgumentParser
import Collector
import Exchanges
import Kafka
import ServiceLifecycle
import Telemetry
import TelemetryServer

/// `coinflux collect`: exchange feeds → Kafka, with `/metrics`, `/healthz`, `/readyz`.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Run the exchange feeds and produce their events to Kafka.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        let logger = ProcessBootstrap.logger(level: configuration.logLevel, label: "coinflux.collect")
        let metrics = Metrics()
        let readiness = Readiness()

        do {
            try await ProcessBootstrap.ensureTopics(configuration.kafka, logger: logger)
        } catch {
            // The producer buffers until the broker is reachable; topics may also be created by an operator.
            logger.warning("could not ensure the Kafka topics exist", metadata: ["error": "\(error)"])
        }
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: configuration.kafka.bootstrapServers)
        producerConfiguration.additionalProperties = configuration.kafka.properties
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        } catch {
            ProcessBootstrap.fail("cannot create the Kafka producer: \(error)")
        }
        let sink = KafkaEventSink(producer: producer, ticksTopic: configuration.kafka.ticksTopic,
                                  fxTopic: configuration.kafka.fxTopic, metrics: metrics, logger: logger)
        let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: readiness, logger: logger)
        guard !feeds.isEmpty else {
            ProcessBootstrap.fail("no exchange feed is enabled (collector.<exchange>.enabled)")
        }
        let telemetry: TelemetryServer
        do {
            telemetry = try TelemetryServer(listen: configuration.telemetryListen, metrics: metrics, readiness: readiness,
                                            version: VersionCommand.version, logger: logger)
        } catch {
            ProcessBootstrap.fail("\(error)")
        }
        // Start order is dependency order; shutdown runs in reverse: feeds stop, then the
        // telemetry endpoint, then the producer flushes what is queued.
        let services: [any Service] = [ProducerService(producer: producer, metrics: metrics, logger: logger), telemetry] + feeds
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
