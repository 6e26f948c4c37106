import CoinfluxCore
import Exchanges
import Foundation
import WSClient

/// How one connection stays alive and is judged alive: the exchange's keepalive pings, silence
/// detection, and the replacement before the exchange's connection lifetime ends or when its
/// symbols change.
extension FeedConnection {
    /// Ends the session (throws) when it goes silent, and replaces it make-before-break when it
    /// reaches the exchange's lifetime or its symbols change.
    /// - Parameter symbols: the symbols the session subscribed to.
    func watchForSilence(connectedAt: Int64, symbols: [Symbol]) async throws {
        let silence = settings.silenceTimeout.saturatingNanoseconds
        let lifetime = maximumConnectionAge?.saturatingNanoseconds
        let tick = min(Duration.seconds(1), settings.silenceTimeout / 4)
        // Replacements that fail are tried again with backoff while this connection keeps
        // working (Binance allows 15 minutes between the replacement and its 24 h cut).
        var replacementBackoff = ExponentialBackoff(settings.backoff)
        var nextReplacement = lifetime.map { $0 > Int64.max - connectedAt ? Int64.max : connectedAt + $0 } ?? .max
        var nextResubscribe = Int64.min
        while true {
            try await Task.sleep(for: tick)
            let now = monotonicNanoseconds()
            if now - lastFrameAt.load(ordering: .relaxed) > silence {
                throw FeedDisconnect(.silent, "no frame for \(settings.silenceTimeout)")
            }
            if now > nextReplacement {
                let age = maximumConnectionAge ?? .zero
                if let replaced = await replace(.lifetime, "older than \(age)", overlap: min(Self.handoverOverlap, age / 10)) { throw replaced }
                nextReplacement = monotonicNanoseconds() + replacementBackoff.nextDelay().saturatingNanoseconds
            }
            if now >= nextResubscribe, symbolsChanged.exchange(false, ordering: .relaxed) {
                let wanted = self.symbols
                if wanted.isEmpty { throw FeedDisconnect(.resubscribe, "no symbols left to carry") }
                guard wanted != symbols else { continue }
                let (old, new) = (Set(symbols), Set(wanted))
                let change = "symbols changed (+\(new.subtracting(old).count) −\(old.subtracting(new).count))"
                if let replaced = await replace(.resubscribe, change, overlap: Self.handoverOverlap) { throw replaced }
                symbolsChanged.store(true, ordering: .relaxed)
                nextResubscribe = monotonicNanoseconds() + replacementBackoff.nextDelay().saturatingNanoseconds
            }
        }
    }

    /// Opens this connection's successor (subscribed to the symbols wanted now) and waits until it
    /// receives, then reads on for `overlap`. Returns the disconnect this connection then ends
    /// with, or nil when the successor failed and this one goes on.
    private func replace(_ reason: FeedDisconnect.Reason, _ why: String, overlap: Duration) async -> FeedDisconnect? {
        let handover = ConnectionHandover()
        let started = connectionTasks.startSuccessor { Task { await self.connectOnce(handover: handover) } }
        guard started else { return FeedDisconnect(reason, why) }
        logger.info("opening a replacement before this connection closes", metadata: ["why": "\(why)"])
        switch await handover.outcome() {
        case .ready:
            // Frames the exchange sent this connection before the successor subscribed may still
            // be on their way: read them before closing (the relay holds the successor's meanwhile).
            try? await Task.sleep(for: overlap)
            return FeedDisconnect(reason, "\(why), replaced by a connection opened before it closed")
        case .failed where Task.isCancelled:
            return FeedDisconnect(reason, "\(why), ended while its replacement was being opened")
        case .failed:
            connectionTasks.discardSuccessor()
            relay?.withLock { $0.abandonSuccessor() }
            metrics.connectFailed.increment()
            logger.warning("replacement connection failed; keeping this one and trying again", metadata: ["why": "\(why)"])
            return nil
        }
    }

    /// How long a replaced connection goes on reading once its successor receives (at most a
    /// tenth of its lifetime).
    static let handoverOverlap = Duration.seconds(1)

    /// The keepalive interval in force: the settings' override or the exchange's own.
    var pingInterval: Duration { settings.pingInterval ?? adapter.connectionPolicy.pingInterval }

    func keepAlive(with ping: OutgoingFrame, _ outbound: WebSocketOutboundWriter) async throws {
        while true {
            try await Task.sleep(for: pingInterval)
            try await send(ping, outbound)
        }
    }
}
