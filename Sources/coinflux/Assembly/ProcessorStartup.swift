import CoinfluxCore
import Logging
import Processor
import ServiceLifecycle
import Telemetry
import TelemetryServer

/// What `coinflux process` and `coinflux run` set up alike before their own parts: the logger,
/// the metrics and readiness, the processor settings, the telemetry server (address checked) and
/// the status report with the processor's line; and how both build the processor and run.
struct ProcessorStartup {
    let configuration: CoinfluxConfiguration
    let logger: Logger
    let metrics: Metrics
    let readiness: Readiness
    let processorMetrics: ProcessorMetrics
    let settings: ProcessorSettings
    let telemetry: TelemetryServer
    let status: StatusReport

    /// Fails with a configuration error on invalid `processor.*` settings, then with a runtime
    /// error when `telemetry.listen` cannot be bound, in that order.
    init(_ configuration: CoinfluxConfiguration, label: String) async throws {
        self.configuration = configuration
        logger = ProcessBootstrap.logger(level: configuration.logLevel, label: label)
        metrics = Metrics()
        readiness = Readiness()
        let processorMetrics = ProcessorMetrics(metrics: metrics, ticksTopic: configuration.kafka.ticksTopic)
        self.processorMetrics = processorMetrics
        settings = try ProcessorAssembly.settings(configuration)
        telemetry = try await ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger)
        status = ProcessBootstrap.statusReport(configuration, logger: logger)
        status.register("processor") { interval in processorMetrics.status(over: interval) }
    }

    /// The processor over `source`, writing to `writer`, waiting for `startupChecks` before its first poll.
    func processor(source: any EventSource, writer: any PointWriter, deadLetters: any DeadLetterSink,
                   startupChecks: [DependencyWatch]) -> Processor {
        Processor(source: source, settings: settings, writer: writer, deadLetters: deadLetters, metrics: processorMetrics,
                  readiness: readiness, startupChecks: startupChecks, logger: logger)
    }

    /// The order-book pipeline when `processor.books` is on (nil otherwise): a second processor on
    /// the books topic, writing with `writer` and dead-lettering to `deadLetters` like the main one.
    func bookProcessor(writer: any PointWriter, deadLetters: any DeadLetterSink, startupChecks: [DependencyWatch]) throws -> Processor? {
        guard configuration.processor.books else { return nil }
        let bookMetrics = ProcessorMetrics(metrics: metrics, ticksTopic: configuration.kafka.booksTopic, processGauges: Metrics())
        let source = try ProcessorAssembly.kafkaSource(configuration, books: true, metrics: bookMetrics, logger: logger)
        var bookLogger = logger
        bookLogger[metadataKey: "pipeline"] = "books"
        return Processor(source: source, settings: settings, writer: writer, deadLetters: deadLetters, metrics: bookMetrics,
                         readiness: readiness, startupChecks: startupChecks, logger: bookLogger)
    }

    /// Runs `services` (``ProcessBootstrap/run(_:deadline:logger:)``) with a shutdown deadline of
    /// `processor.shutdown_timeout` plus 15 s for the parts stopping after the processor.
    func run(_ services: [any Service]) async throws {
        try await ProcessBootstrap.run(services, deadline: configuration.processor.shutdownTimeout + .seconds(15), logger: logger)
    }
}
