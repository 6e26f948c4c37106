import InfluxWriter
import Logging
import ServiceLifecycle
import Synchronization
import Telemetry

/// `coinflux process` (and the processor of `coinflux run`): derives points from an
/// ``EventSource``, writes them, and commits a message only after every point derived from it is
/// acknowledged (see ``ProcessingLoop``).
///
/// Before consuming it waits for its `startupChecks` (a broker answering, InfluxDB accepting
/// writes), each reporting not-ready meanwhile. On graceful shutdown it stops polling, writes and commits what it has
/// within `processor.shutdown_timeout` (``ProcessingLoop/drain()``), then leaves the source.
public final class Processor: Service {
    private let source: any EventSource
    private let settings: ProcessorSettings
    private let delivery: BatchDelivery
    private let metrics: ProcessorMetrics
    private let readiness: Readiness
    private let startupChecks: [DependencyWatch]
    private let logger: Logger

    /// - Parameters:
    ///   - source: Kafka's ticks topic, or the in-process queue.
    ///   - writer: InfluxDB (or a file).
    ///   - deadLetters: Where undecodable messages and refused points go.
    ///   - startupChecks: What must be available before the first poll (the brokers, InfluxDB),
    ///     waited for in order.
    public init(
        source: any EventSource, settings: ProcessorSettings, writer: any PointWriter, deadLetters: any DeadLetterSink,
        metrics: ProcessorMetrics, readiness: Readiness, startupChecks: [DependencyWatch] = [], logger: Logger
    ) {
        self.source = source
        self.settings = settings
        self.delivery = BatchDelivery(writer: writer, deadLetters: deadLetters, metrics: metrics, topic: source.topic, logger: logger)
        self.metrics = metrics
        self.readiness = readiness
        self.startupChecks = startupChecks
        self.logger = logger
    }

    public func run() async throws {
        let writer = delivery.writer
        readiness.register("writer") { writer.notReadyReason }
        for check in startupChecks {
            let available = try await cancelWhenGracefulShutdown { try await check.waitUntilAvailable() }
            guard available else {
                await source.close()
                return
            }
        }
        logger.info("processor started", metadata: [
            "source": "\(source.topic)", "batch_points": "\(settings.batchPoints)", "warmup_messages": "\(settings.warmupMessages)",
        ])
        var loop = ProcessingLoop(source: source, settings: settings, delivery: delivery, metrics: metrics, logger: logger)
        let source = self.source
        let failure: (any Error)? = await withTaskGroup(of: Void.self) { group in
            group.addTask { await source.runAlongside() }
            defer { group.cancelAll() }
            var failure: (any Error)?
            do {
                try await loop.runUntilGracefulShutdown()
            } catch is CancellationError {
                // Cancelled (the service group's deadline passed): drain what can still be done.
            } catch {
                logger.error("processor stopped on an error", metadata: ["error": "\(error)"])
                failure = error
            }
            await loop.drain()
            return failure
        }
        await source.close()
        logger.info("processor stopped")
        if let failure { throw failure }
    }
}

extension ProcessingLoop {
    /// Steps until graceful shutdown begins (or the task is cancelled).
    mutating func runUntilGracefulShutdown() async throws {
        let stopping = Atomic<Bool>(false)
        try await withGracefulShutdownHandler {
            while !stopping.load(ordering: .relaxed) {
                try Task.checkCancellation()
                try await step()
            }
        } onGracefulShutdown: {
            stopping.store(true, ordering: .relaxed)
        }
    }
}
