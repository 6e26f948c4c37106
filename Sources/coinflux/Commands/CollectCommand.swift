import ArgumentParser
import Collector
import ServiceLifecycle
import Telemetry

/// `coinflux collect`: exchange feeds → Kafka, with `/metrics`, `/healthz`, `/readyz`.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Run the exchange feeds and produce their events to Kafka.")

    @OptionGroup var options: ConfigurationOptions

    /// Longest graceful shutdown: the feeds stop, then the producer flushes (10 s) and closes.
    static let shutdownDeadline = Duration.seconds(25)

    func run() async throws {
        let configuration = try options.load()
        try await CommandFailure.reported {
            let logger = ProcessBootstrap.logger(level: configuration.logLevel, label: "coinflux.collect")
            let metrics = Metrics()
            let readiness = Readiness()
            let telemetry = try await ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger)
            let kafka = try ProcessBootstrap.kafkaWatch(configuration, readiness: readiness, logger: logger)
            let producer = try ProcessBootstrap.kafkaProducer(configuration, logger: logger)
            let sink = KafkaEventSink(producer: producer, ticksTopic: configuration.kafka.ticksTopic,
                                      fxTopic: configuration.kafka.fxTopic, booksTopic: configuration.kafka.booksTopic,
                                      metrics: metrics, logger: logger)
            let status = ProcessBootstrap.statusReport(configuration, logger: logger)
            guard FeedAssembly.hasFeeds(configuration) else {
                throw CommandFailure(.configuration, "invalid configuration: no exchange feed is enabled with symbols or books (collector.<exchange>.enabled, collector.<exchange>.symbols, collector.<exchange>.books)")
            }
            let restClient = FeedAssembly.restClient(configuration)
            let feeds = FeedAssembly.feeds(configuration, sink: sink, metrics: metrics, readiness: readiness, status: status,
                                           restClient: restClient, logger: logger)
            // Start order is dependency order; shutdown runs in reverse: feeds stop (their gap
            // repairs record what waits), then the broker watch and the telemetry endpoint, then
            // the producer flushes what is queued.
            FeedAssembly.reportFailedDeliveries(of: producer, to: feeds)
            let resume = FeedAssembly.restartResume(configuration, feeds: feeds, logger: logger)
            let producerService = ProducerService(producer: producer, metrics: metrics, logger: logger)
            status.register("kafka producer") { _ in producerService.status() }
            let bookFeeds = FeedAssembly.bookFeeds(configuration, feeds: feeds, sink: sink, metrics: metrics, restClient: restClient, logger: logger)
            let services: [any Service] = [producerService, telemetry, kafka, resume, status] + (restClient.map { [$0] } ?? [])
                + feeds.flatMap(\.services) + bookFeeds + FeedAssembly.discoveries(configuration, feeds: feeds, logger: logger)
                + FeedAssembly.statusPollers(configuration, feeds: feeds, sink: sink, metrics: metrics, logger: logger)
                + FeedAssembly.fxPollers(configuration, sink: sink, metrics: metrics, restClient: restClient, logger: logger)
            try await ProcessBootstrap.run(services, deadline: Self.shutdownDeadline, logger: logger)
        }
    }
}
