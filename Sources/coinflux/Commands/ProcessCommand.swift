import ArgumentParser
import Collector
import Processor
import ProcessorKafka
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
        try await CommandFailure.reported {
            let logger = ProcessBootstrap.logger(level: configuration.logLevel, label: "coinflux.process")
            let metrics = Metrics()
            let readiness = Readiness()
            let processorMetrics = ProcessorMetrics(metrics: metrics, ticksTopic: configuration.kafka.ticksTopic)
            guard let writerConfiguration = ProcessorAssembly.writerConfiguration(configuration) else {
                throw CommandFailure(.configuration, "invalid configuration: influxdb.url is not set: coinflux process needs an InfluxDB to write to")
            }
            let settings = try ProcessorAssembly.settings(configuration)
            let telemetry = try await ProcessBootstrap.telemetryServer(configuration, metrics: metrics, readiness: readiness, logger: logger)
            let kafka = try ProcessBootstrap.kafkaWatch(configuration, readiness: readiness, logger: logger)
            let producer = try ProcessBootstrap.kafkaProducer(configuration, logger: logger)
            let source = try ProcessorAssembly.kafkaSource(configuration, metrics: processorMetrics, logger: logger)
            let writer = try ProcessorAssembly.influxWriter(writerConfiguration, metrics: processorMetrics, logger: logger)
            let processor = Processor(
                source: source, settings: settings, writer: writer,
                deadLetters: KafkaDeadLetterSink(producer: producer, topic: configuration.kafka.deadLetterTopic, logger: logger),
                metrics: processorMetrics, readiness: readiness,
                startupChecks: [kafka, ProcessorAssembly.influxWatch(writer, configuration, readiness: readiness, logger: logger)],
                logger: logger)
            // Shutdown runs in reverse: the processor writes its last batch, commits and leaves the
            // group; the broker watch and the endpoint stop; dead letters still queued are flushed;
            // the writer's connection pool closes.
            let status = ProcessBootstrap.statusReport(configuration, logger: logger)
            status.register("processor") { interval in processorMetrics.status(over: interval) }
            let services: [any Service] = [writer, ProducerService(producer: producer, metrics: metrics, logger: logger), telemetry, kafka, status, processor]
            try await ProcessBootstrap.run(services, deadline: configuration.processor.shutdownTimeout + .seconds(15), logger: logger)
        }
    }
}
