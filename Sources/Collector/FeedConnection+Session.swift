import CoinfluxCore
import Exchanges
import Foundation
import NIOCore
import NIOPosix
import WSClient

/// One connection attempt: connect, subscribe, then read, keep alive and watch for silence until
/// the session ends.
extension FeedConnection {
    /// Connects, subscribes and reads until the connection ends; returns why it ended.
    /// - Parameter handover: set when this connection replaces one that reached its lifetime;
    ///   told when this one receives, or that it failed.
    func connectOnce(handover: ConnectionHandover?) async -> FeedDisconnect {
        defer { handover?.settle(.failed) }  // no effect once it reported ready
        let session = sessions.add(1, ordering: .relaxed).newValue
        relay?.withLock { relay in
            if handover == nil { relay.start(session) } else { relay.open(successor: session) }
        }
        let symbols = self.symbols
        var url = webSocketURL.absoluteString
        if let path = adapter.webSocketPath(for: symbols) { url += path }
        let policy = adapter.connectionPolicy
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: settings.maximumMessageSize,
            closeTimeout: settings.closeTimeout,
            autoPing: policy.sendsWebSocketPings ? .enabled(timePeriod: pingInterval) : .disabled
        )
        // Each attempt on an event loop of its own, shut down when the attempt ends: swift-websocket
        // (1.6.2) never closes the socket of an upgrade the exchange declines (a 429 or 503 answer),
        // and the loop's shutdown is what closes it. Not waited for: over TLS the close waits for
        // the server's close_notify (up to NIOSSL's 5 s), which must not delay the next attempt.
        let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = WebSocketClient(url: url, configuration: configuration, tlsConfiguration: settings.tlsConfiguration,
                                     eventLoopGroup: eventLoop, logger: logger) { inbound, outbound, _ in
            try await self.session(session, symbols: symbols, inbound: inbound, outbound: outbound, handover: handover)
        }
        // The attempt's tasks run on its event loop (see EventLoopTaskExecutor).
        let executor = EventLoopTaskExecutor(eventLoop.next())
        let disconnect: FeedDisconnect
        do {
            let close = try await withTaskExecutorPreference(executor) { try await client.run() }
            if connectedSince.load(ordering: .relaxed) == 0 { metrics.connectFailed.increment() }
            disconnect = FeedDisconnect(.closed, close.map { "close code \($0.closeCode), \($0.reason ?? "")" } ?? "stream ended")
        } catch let ended as FeedDisconnect {
            disconnect = ended
        } catch {
            if connectedSince.load(ordering: .relaxed) == 0 { metrics.connectFailed.increment() }
            disconnect = FeedDisconnect(.error, "\(error)")
        }
        eventLoop.shutdownGracefully(queue: .global()) { _ in }
        return disconnect
    }

    /// One connected session: subscribe, then receive, keep alive and watch for silence until one
    /// of them ends it. A successor tells its `handover` at its first frame.
    private func session(_ session: Int, symbols: [Symbol], inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                         handover: ConnectionHandover?) async throws {
        for frame in adapter.subscriptionFrames(for: symbols) {
            try await send(frame, outbound)
        }
        let now = monotonicNanoseconds()
        lastFrameAt.store(now, ordering: .relaxed)
        connectedSince.store(now, ordering: .relaxed)
        downSince.store(0, ordering: .relaxed)
        metrics.connectSucceeded.increment()
        connection.markConnected()
        let failures = failedAttempts.exchange(0, ordering: .relaxed)
        logger.info("websocket connected and subscribed", metadata: ["symbols": "\(symbols.count)", "failed_attempts_before": "\(failures)"])

        let onFirstFrame: (@Sendable () -> Void)? = if let handover { { handover.settle(.ready) } } else { nil }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.receive(inbound, session: session, onFirstFrame: onFirstFrame) }
            group.addTask { try await self.watchForSilence(connectedAt: now, symbols: symbols) }
            if let ping = adapter.connectionPolicy.clientPing {
                group.addTask { try await self.keepAlive(with: ping, outbound) }
            }
            // The first child to finish ends the session: the server closed (receive returns),
            // or the socket went silent / was replaced at its lifetime (watchdog throws).
            try await group.next()
            group.cancelAll()
        }
    }

    func send(_ frame: OutgoingFrame, _ outbound: WebSocketOutboundWriter) async throws {
        switch frame {
        case .text(let text): try await outbound.write(.text(text))
        case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
        }
    }
}
