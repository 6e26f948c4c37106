import CoinfluxCore
import Exchanges
import NIOCore
import Synchronization
import Telemetry
import WSClient

/// Receiving: frames into events, handed on through the handover relay where there is one.
extension FeedConnection {
    func receive(_ inbound: WebSocketInboundStream, session: Int, onFirstFrame: (@Sendable () -> Void)?) async throws {
        var events: [MarketEvent] = []
        events.reserveCapacity(64)
        var fragments: ByteBuffer?
        var onFirstFrame = onFirstFrame
        for try await frame in inbound {
            lastFrameAt.store(monotonicNanoseconds(), ordering: .relaxed)
            if let first = onFirstFrame {
                first()
                onFirstFrame = nil
            }
            switch frame.opcode {
            case .text, .binary:
                if frame.fin {
                    handle(frame.data, into: &events, session: session)
                } else {
                    fragments = frame.data
                }
            case .continuation:
                guard var message = fragments else { continue }
                var data = frame.data
                message.writeBuffer(&data)
                if frame.fin {
                    fragments = nil
                    handle(message, into: &events, session: session)
                } else {
                    fragments = message
                }
            }
        }
    }

    /// Parses one complete message and hands its events to the sink (through the relay while a
    /// handover may be under way).
    private func handle(_ message: ByteBuffer, into events: inout [MarketEvent], session: Int) {
        let receivedAt = wallClockNanoseconds()
        connection.recordMessage(at: Double(receivedAt) / 1e9)
        events.removeAll(keepingCapacity: true)
        do {
            let kind = try message.withUnsafeReadableBytes { bytes in
                try adapter.parse(frame: bytes, receivedAt: receivedAt, into: &events)
            }
            metrics.countFrame(kind)
            if case .exchangeError(let text) = kind {
                problems.warning("exchange sent an error frame", metadata: ["message": "\(text)"])
            }
        } catch {
            metrics.parseErrors.increment()
            let excerpt = message.withUnsafeReadableBytes { RateLimitedLog.excerpt($0) }
            problems.warning("skipped a frame that does not parse", metadata: ["error": "\(error)", "frame": "\(excerpt)"])
            return
        }
        guard !events.isEmpty else { return }
        metrics.countEvents(events)
        let relayed = relay?.withLock { relay in
            for batch in relay.route(events, receivedAt: receivedAt, from: session) { hand(batch.events, receivedAt: batch.receivedAt) }
            return true
        }
        if relayed == nil { hand(events, receivedAt: receivedAt) }
    }

    /// Hands events on to the sink and records them in the series tracker; the gaps they close
    /// go to repair.
    func hand(_ events: [MarketEvent], receivedAt: Int64) {
        connection.tally.events.add(events.count)
        let refused = sink.publish(events)
        let closed = tracker.record(events, refused: Set(refused), now: receivedAt)
        if !closed.isEmpty { gapRepair.submit(closed) }
    }
}
