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

        await ProcessBootstrap.ensureTopicsOrWarn(configuration.kafka, logger: logger)
        let producer = ProcessBootstrap.kafkaProducer(configuration, logger: logger)
        let sink = KafkaEventSink(producer: producer, ticksTopic: configuration.kafka.ticksTopic,
                                  fxTopic: configuration.kafka.fxTopic, metrics: metrics, logger: logger)
        let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: readiness, logger: logger)
        guard !feeds.isEmpty else {
            ProcessBootstrap.fail("no exchange feed is enabled (collector.<exchange>.enabled)")
        }
        let telemetry = ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger)
        // Start order is dependency order; shutdown runs in reverse: feeds stop, then the
        // telemetry endpoint, then the producer flushes what is queued.
        let services: [any Service] = [ProducerService(producer: producer, metrics: metrics, logger: logger), telemetry] + feeds
        try await ProcessBootstrap.run(services, deadline: .seconds(20), logger: logger)
    }
}
