import CoinfluxCore
import Foundation
import InfluxWriter
import Testing

@testable import Processor

@Suite("The in-process queue and the line-protocol file")
struct QueueAndFileTests {
    @Test("the queue holds at most its capacity, refuses the rest, and hands events out oldest first")
    func boundedQueue() async {
        let queue = EventQueue(capacity: 3)
        let events = (0..<5).map { index in
            MarketEvent(kind: .ticker, exchange: .upbit, symbol: Symbol(base: "BTC", quote: "KRW"), price: Double(index + 1),
                        eventTimeNanos: Int64(index), receiveTimeNanos: Int64(index))
        }
        #expect(queue.offer(events.map(MarketRecord.event)) == 2)
        #expect(queue.count == 3)
        let first = await queue.take(maximum: 2, timeout: .zero)
        #expect(first.map { $0.event?.price } == [1, 2])
        #expect(queue.offer([.event(events[4])]) == 0)
        let rest = await queue.take(maximum: 10, timeout: .zero)
        #expect(rest.map { $0.event?.price } == [3, 5])
        let none = await queue.take(maximum: 10, timeout: .milliseconds(30))
        #expect(none.isEmpty)
    }

    @Test("the line-protocol file gets every line appended, across writes")
    func lineProtocolFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("coinflux-\(UUID().uuidString).lp").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try LineProtocolFile(path: path)
        let first = try await file.write(LineBatch(lines: ["a x=1 1", "b x=2 2"]))
        let second = try await file.write(LineBatch(lines: ["c x=3 3"]))
        #expect(first.writtenLines == 2 && second.writtenLines == 1)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a x=1 1\nb x=2 2\nc x=3 3\n")
        #expect(file.health == .healthy)
        #expect(throws: LineProtocolFile.OpenError.self) { try LineProtocolFile(path: "/nonexistent-dir/x.lp") }
    }
}
