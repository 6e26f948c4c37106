import ArgumentParser
import Collector
import InfluxWriter
import Processor
import ServiceLifecycle
import Telemetry

/// `coinflux process`: Kafka → derived series → InfluxDB, with `/metrics`, `/healthz`, `/readyz`.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Consume market events from Kafka and write derived series to InfluxDB.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        let logger = ProcessBootstrap.logger(level: configuration.logLevel, label: "coinflux.process")
        let metrics = Metrics()
        let readiness = Readiness()
        let processorMetrics = ProcessorMetrics(metrics: metrics, ticksTopic: configuration.kafka.ticksTopic)
        let writer = ProcessorAssembly.writer(configuration, metrics: processorMetrics, allowFile: false, logger: logger)

        await ProcessBootstrap.ensureTopicsOrWarn(configuration.kafka, logger: logger)
        let producer = ProcessBootstrap.kafkaProducer(configuration, logger: logger)
        let processor = ProcessorAssembly.kafkaProcessor(
            configuration, writer: writer, producer: producer, metrics: processorMetrics, readiness: readiness, logger: logger)
        let telemetry = ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger)
        // Shutdown runs in reverse: the processor writes its last batch, commits and leaves the
        // group; then the endpoint stops; then dead letters still queued are flushed.
        let services: [any Service] = [ProducerService(producer: producer, metrics: metrics, logger: logger), telemetry, processor]
        try await ProcessBootstrap.run(services, deadline: configuration.processor.shutdownTimeout + .seconds(15), logger: logger)
        try? await (writer as? InfluxWriter)?.shutdown()
    }
}
