import CoinfluxCore
import InfluxWriter
import Processor
import ProcessorCore
import Synchronization

/// An ``EventSource`` that hands out scripted polls, one per call, and records what the loop
/// does with it: commits, pauses, closes. A failure can be scripted for the next commits.
final class ScriptedSource: EventSource {
    struct Record {
        var polls: [SourceBatch]
        var commits: [[Int: Int]] = []
        var failingCommits = 0
        var paused = false
        var pauses: [Bool] = []
        var closed = false
    }

    let topic = "scripted"
    let isDurable: Bool
    let record: Mutex<Record>

    init(durable: Bool = true, polls: [SourceBatch]) {
        isDurable = durable
        record = Mutex(Record(polls: polls))
    }

    /// Adds polls to the script.
    func script(_ polls: SourceBatch...) {
        record.withLock { $0.polls += polls }
    }

    func failNextCommits(_ count: Int) {
        record.withLock { $0.failingCommits = count }
    }

    var commits: [[Int: Int]] { record.withLock { $0.commits } }
    var pauses: [Bool] { record.withLock { $0.pauses } }
    var isClosed: Bool { record.withLock { $0.closed } }
    var remainingPolls: Int { record.withLock { $0.polls.count } }

    func poll(maximum: Int, timeout: Duration) async throws -> SourceBatch {
        let next: SourceBatch? = record.withLock { record in
            guard !record.paused, !record.polls.isEmpty else { return nil }
            return record.polls.removeFirst()
        }
        if let next { return next }
        try await Task.sleep(for: timeout)
        return SourceBatch()
    }

    func commit(_ coverage: Coverage) async throws {
        try record.withLock { record in
            if record.failingCommits > 0 {
                record.failingCommits -= 1
                throw ScriptedFailure()
            }
            record.commits.append(coverage.nextOffsets)
        }
    }

    func setPaused(_ paused: Bool) throws {
        record.withLock {
            $0.paused = paused
            $0.pauses.append(paused)
        }
    }

    func runAlongside() async {}

    func close() async {
        record.withLock { $0.closed = true }
    }
}

struct ScriptedFailure: Error {}

/// A ``PointWriter`` that stores lines, with a health the test sets, and an optional gate that
/// holds every write until opened.
final class GatedWriter: PointWriter {
    private struct State {
        var lines: [String] = []
        var health: WriterHealth = .healthy
        var open = true
        var writes = 0
    }

    private let state = Mutex(State())

    var health: WriterHealth { state.withLock { $0.health } }
    var lines: [String] { state.withLock { $0.lines } }
    var writes: Int { state.withLock { $0.writes } }

    func setHealth(_ health: WriterHealth) { state.withLock { $0.health = health } }
    func setOpen(_ open: Bool) { state.withLock { $0.open = open } }

    func write(_ batch: LineBatch) async throws(CancellationError) -> WriteOutcome {
        state.withLock { $0.writes += 1 }
        while !state.withLock({ $0.open && !$0.health.isFailing }) {
            do { try await Task.sleep(for: .milliseconds(5)) } catch { throw CancellationError() }
        }
        let text = String(decoding: batch.body.readableBytesView, as: UTF8.self)
        state.withLock { $0.lines += text.split(separator: "\n").map(String.init) }
        return WriteOutcome(writtenLines: batch.count)
    }
}

/// Dead letters kept in memory.
final class CollectedDeadLetters: DeadLetterSink {
    private let letters = Mutex<[DeadLetter]>([])
    var all: [DeadLetter] { letters.withLock { $0 } }

    func send(_ letter: DeadLetter) { letters.withLock { $0.append(letter) } }
    func flush() async throws(CancellationError) {}
}

enum Script {
    static let btcUSDT = Symbol(base: "BTC", quote: "USDT")

    /// A ticker message of BTC-USDT at `offset` of `partition`, priced `price`.
    static func ticker(partition: Int, offset: Int, price: Double) -> SourceMessage {
        let nanos = 1_700_000_000_000_000_000 + Int64(offset) * 1_000_000_000
        let event = MarketEvent(kind: .ticker, exchange: .binance, symbol: btcUSDT, price: price, eventTimeNanos: nanos, receiveTimeNanos: nanos)
        return SourceMessage(position: MessagePosition(partition: partition, offset: offset), timeNanos: nanos, event: event)
    }

    /// Tickers at `offsets` of `partition`, priced 100 + offset.
    static func tickers(partition: Int, _ offsets: Range<Int>) -> [SourceMessage] {
        offsets.map { ticker(partition: partition, offset: $0, price: 100 + Double($0)) }
    }
}
