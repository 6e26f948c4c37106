import CoinfluxCore
import ProcessorCore
import Synchronization

/// The in-process ``EventQueue`` as an ``EventSource``: one partition, numbered in the order
/// events are taken, nothing to commit (what is taken is gone), and a pause that simply stops
/// taking, so the queue fills and the feeds' surplus is dropped and counted. The KRW-per-USDT rate
/// comes with the stream itself (`USDT-KRW` tickers).
public final class QueueEventSource: EventSource {
    private let queue: EventQueue
    private let state = Mutex(State())

    private struct State {
        var nextOffset = 0
        var paused = false
        var announced = false
    }

    public init(queue: EventQueue) {
        self.queue = queue
    }

    public var topic: String { EventQueue.topic }
    public var isDurable: Bool { false }

    public func poll(maximum: Int, timeout: Duration) async throws -> SourceBatch {
        let (paused, announce) = state.withLock { state in
            defer { state.announced = true }
            return (state.paused, !state.announced)
        }
        let changes: [PartitionChange] = announce ? [.assigned(partition: 0, warmupEnd: nil)] : []
        if paused {
            try await Task.sleep(for: timeout)
            return SourceBatch(changes: changes)
        }
        let records = await queue.take(maximum: maximum, timeout: timeout)
        let first = state.withLock { state in
            defer { state.nextOffset += records.count }
            return state.nextOffset
        }
        let messages = records.enumerated().map { index, record in
            SourceMessage(position: MessagePosition(partition: 0, offset: first + index),
                          timeNanos: record.event?.receiveTimeNanos, record: .success(record))
        }
        return SourceBatch(changes: changes, messages: messages)
    }

    public func commit(_ coverage: Coverage) async throws {}

    public func setPaused(_ paused: Bool) throws {
        state.withLock { $0.paused = paused }
    }

    public func runAlongside() async {}

    public func close() async {}
}
