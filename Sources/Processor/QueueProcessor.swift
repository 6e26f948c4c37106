import CoinfluxCore
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// The processor of `coinflux run` without Kafka: derives points from an ``EventQueue`` and
/// writes them batch by batch. While a write is retried the queue fills up and the feeds' surplus
/// is dropped and counted (no Kafka means no durable buffer). On graceful shutdown it writes
/// what is queued, within the shutdown timeout.
public final class QueueProcessor: Service {
    private let queue: EventQueue
    private let settings: ProcessorSettings
    private let delivery: BatchDelivery
    private let metrics: ProcessorMetrics
    private let readiness: Readiness
    private let logger: Logger

    public init(
        queue: EventQueue, settings: ProcessorSettings, writer: any PointWriter, deadLetters: any DeadLetterSink,
        metrics: ProcessorMetrics, readiness: Readiness, logger: Logger
    ) {
        self.queue = queue
        self.settings = settings
        self.delivery = BatchDelivery(writer: writer, deadLetters: deadLetters, metrics: metrics, ticksTopic: "in-process", logger: logger)
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
    }

    public func run() async throws {
        let writer = delivery.writer
        readiness.register("writer") { writer.notReadyReason }
        var intake = Intake(processor: self)
        await intake.run()
        await intake.drain()
        logger.info("processor stopped")
    }

    /// The loop's state: one deriver for everything, and the batch being filled.
    private struct Intake {
        let processor: QueueProcessor
        var deriver: PointDeriver
        var batch = PointBatch()
        var sequence = 0

        init(processor: QueueProcessor) {
            self.processor = processor
            deriver = PointDeriver(settings: processor.settings.derivation)
        }

        var settings: ProcessorSettings { processor.settings }

        /// Derives and writes until graceful shutdown begins.
        mutating func run() async {
            let stopping = Atomic<Bool>(false)
            await withGracefulShutdownHandler {
                while !stopping.load(ordering: .relaxed), !Task.isCancelled {
                    await step()
                }
            } onGracefulShutdown: {
                stopping.store(true, ordering: .relaxed)
            }
        }

        private mutating func step() async {
            let events = await processor.queue.take(maximum: settings.pollMessages, timeout: .milliseconds(50))
            add(events)
            processor.metrics.consumed(events.count, topic: "in-process")
            processor.metrics.uncommitted.set(Double(batch.messages + processor.queue.count))
            let due = batch.openedAt.map { $0.duration(to: .now) >= settings.flushInterval } ?? false
            if batch.lineCount >= settings.batchPoints || (due && !batch.isEmpty) {
                try? await processor.delivery.deliver(batch)
                batch = PointBatch()
            }
        }

        private mutating func add(_ events: [MarketEvent]) {
            var tally = PointDeriver.Tally()
            for event in events {
                batch.add(event, from: MessagePosition(partition: 0, offset: sequence), deriver: &deriver, tally: &tally)
                sequence += 1
                if event.kind == .ticker, settings.watchlist.contains(event.symbol) {
                    processor.metrics.watch(event, deriver: deriver)
                }
            }
            processor.metrics.record(tally)
            processor.metrics.trackedSymbols.set(Double(deriver.seriesCount))
        }

        /// Writes what is queued and the open batch, within the shutdown timeout.
        mutating func drain() async {
            add(await processor.queue.take(maximum: processor.queue.capacity, timeout: .zero))
            let final = batch
            batch = PointBatch()
            let delivery = processor.delivery
            let written = await completes(within: settings.shutdownTimeout) {
                try? await delivery.deliver(final)
            }
            if !written {
                processor.logger.warning("shutdown timeout reached before the last points were written", metadata: ["points": "\(final.lineCount)"])
            }
        }
    }
}
