import ArgumentParser
import Collector
import ProcessorKafka

/// `coinflux process`: Kafka → derived series → InfluxDB, with `/metrics`, `/healthz`, `/readyz`.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Consume market events from Kafka and write derived series to InfluxDB.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        try await CommandFailure.reported {
            guard let writerConfiguration = ProcessorAssembly.writerConfiguration(configuration) else {
                throw CommandFailure(.configuration, "invalid configuration: influxdb.url is not set: coinflux process needs an InfluxDB to write to")
            }
            let startup = try await ProcessorStartup(configuration, label: "coinflux.process")
            let (logger, readiness) = (startup.logger, startup.readiness)
            let kafka = try ProcessBootstrap.kafkaWatch(configuration, readiness: readiness, logger: logger)
            let producer = try ProcessBootstrap.kafkaProducer(configuration, logger: logger)
            let source = try ProcessorAssembly.kafkaSource(configuration, metrics: startup.processorMetrics, logger: logger)
            let writer = try ProcessorAssembly.influxWriter(writerConfiguration, metrics: startup.processorMetrics, logger: logger)
            let deadLetters = KafkaDeadLetterSink(producer: producer, topic: configuration.kafka.deadLetterTopic, logger: logger)
            let startupChecks = [kafka, ProcessorAssembly.influxWatch(writer, configuration, readiness: readiness, logger: logger)]
            let processor = startup.processor(source: source, writer: writer, deadLetters: deadLetters, startupChecks: startupChecks)
            let bookProcessor = try startup.bookProcessor(writer: writer, deadLetters: deadLetters, startupChecks: startupChecks)
            // Shutdown runs in reverse: the processor writes its last batch, commits and leaves the
            // group; the broker watch and the endpoint stop; dead letters still queued are flushed;
            // the writer's connection pool closes.
            let producerService = ProducerService(producer: producer, metrics: startup.metrics, logger: logger)
            try await startup.run([writer, producerService, startup.telemetry, kafka, startup.status, processor] + (bookProcessor.map { [$0] } ?? []))
        }
    }
}
