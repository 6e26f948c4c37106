import CoinfluxCore
import Foundation
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// One WebSocket connection: reads client requests and keepalives, sends the subscribed markets'
/// trades, tickers and books in batches, enforces the exchange's keepalive rule and applies faults.
///
/// Two child tasks share the connection: the read loop answers requests and pings at once;
/// the send loop wakes every ``SimulatorConfiguration/tickInterval`` for data, server pings,
/// timeouts and faults. Acks are written before the subscription takes effect, so they always
/// precede the data they announce.
struct WebSocketSession: Sendable {
    typealias Outbound = NIOAsyncChannelOutboundWriter<WebSocketFrame>

    let endpoint: WebSocketEndpoint
    let context: SimulatorContext
    let logger: Logger

    private var exchange: Exchange { endpoint.exchange }
    private var handler: any ExchangeProtocol { endpoint.handler }

    /// How long the server waits for the client's close frame after sending its own.
    static let closeGrace = Duration.seconds(1)

    func run(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async {
        let state = SessionState(connectionID: UUID().uuidString.lowercased(), now: .now)
        state.apply(.add(endpoint.initialSubscriptions))
        // Register for faults before the session counts as open, so that a caller who waits for
        // `connectionsOpen` and then injects a fault reaches this session.
        context.faults.register(state, for: exchange)
        context.counters.update(exchange) {
            $0.connectionsAccepted += 1
            $0.connectionsOpen += 1
        }
        defer {
            context.faults.unregister(state, for: exchange)
            context.counters.update(exchange) { $0.connectionsOpen -= 1 }
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                if !context.faults.isSilenced(exchange) {
                    try await write(handler.greeting(state.info), to: outbound)
                }
                try await withGracefulShutdownHandler {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await receive(inbound, outbound: outbound, state: state) }
                        group.addTask { try await send(outbound, state: state, eventLoop: channel.channel.eventLoop) }
                        try await group.next()
                        group.cancelAll()
                    }
                } onGracefulShutdown: {
                    state.requestClose(code: .goingAway, reason: "server shutting down")
                }
            }
        } catch {
            logger.debug("WebSocket session ended", metadata: ["exchange": "\(exchange)", "error": "\(error)"])
        }
    }

    // MARK: Read loop

    private func receive(_ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, outbound: Outbound, state: SessionState) async throws {
        var partial: ByteBuffer?
        for try await frame in inbound {
            let now = ContinuousClock.now
            state.recordReceived(at: now)
            switch frame.opcode {
            case .ping:
                context.counters.update(exchange) { $0.pingsReceived += 1 }
                if !context.faults.isSilenced(exchange, now: now) {
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
                }
            case .pong:
                state.recordPong(frame.unmaskedData)
            case .text, .binary:
                if frame.fin {
                    try await handle(frame.unmaskedData, outbound: outbound, state: state, now: now)
                } else {
                    partial = frame.unmaskedData
                }
            case .continuation:
                guard var message = partial else {
                    return try await close(outbound, state: state, code: .protocolError, reason: "unexpected continuation")
                }
                var data = frame.unmaskedData
                guard message.readableBytes + data.readableBytes <= SimulatorConfiguration.maxClientMessageBytes else {
                    return try await close(outbound, state: state, code: .messageTooLarge, reason: "message too large")
                }
                message.writeBuffer(&data)
                if frame.fin {
                    partial = nil
                    try await handle(message, outbound: outbound, state: state, now: now)
                } else {
                    partial = message
                }
            case .connectionClose:
                if state.markCloseSent() {
                    // Echo the client's status code, as RFC 6455 asks.
                    let code = frame.unmaskedData.getSlice(at: frame.unmaskedData.readerIndex, length: 2) ?? ByteBuffer()
                    try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))
                }
                return
            default:
                return try await close(outbound, state: state, code: .protocolError, reason: "unknown opcode")
            }
        }
    }

    private func handle(_ message: ByteBuffer, outbound: Outbound, state: SessionState, now: ContinuousClock.Instant) async throws {
        let outcome = handler.handle(message, session: state.info)
        if outcome.isKeepalivePing {
            state.recordApplicationPing(at: now)
        }
        context.counters.update(exchange) {
            $0.subscriptionsReceived += outcome.subscribeRequests
            $0.pingsReceived += outcome.isKeepalivePing ? 1 : 0
        }
        if !context.faults.isSilenced(exchange, now: now) {
            try await write(outcome.replies, to: outbound)
        }
        if let update = outcome.update {
            state.apply(update)
        }
    }

    // MARK: Send loop

    private func send(_ outbound: Outbound, state: SessionState, eventLoop: any EventLoop) async throws {
        let clock = ContinuousClock()
        let policy = handler.keepalive(context.configuration.keepalive)
        var feed = StreamFeed(
            handler: handler, markets: context.markets, tickersPerSecond: context.configuration.effectiveTickersPerSecond,
            booksPerSecond: context.configuration.effectiveBooksPerSecond(exchange)
        )
        var nextServerPing: ContinuousClock.Instant?
        if case .serverPing(let interval, _) = policy {
            nextServerPing = clock.now + interval
        }
        var deadline = clock.now

        while true {
            let now = clock.now
            let silenced = context.faults.isSilenced(exchange, now: now)
            let commands = state.takeCommands(silenced: silenced)
            if let request = commands.close {
                return try await close(outbound, state: state, code: request.code, reason: request.reason)
            }
            if let reason = keepaliveViolation(policy, state: state, now: now) {
                context.counters.update(exchange) { $0.keepaliveDrops += 1 }
                return try await close(outbound, state: state, code: .normalClosure, reason: reason)
            }

            let epochMicros = SimulatorContext.epochMicroseconds()
            feed.update(commands.subscriptions, version: commands.subscriptionsVersion, now: now)
            feed.addBookFaults(gaps: commands.bookGaps, crossed: commands.crossedBooks)
            var frames: [WebSocketFrame] = []
            if !silenced {
                for _ in 0..<commands.errors {
                    frames.append(dataFrame(handler.errorFrame(state.info)))
                }
                for _ in 0..<commands.malformed {
                    frames.append(dataFrame(feed.malformedFrame(epochMicros: epochMicros)))
                }
                if case .serverPing(let interval, _) = policy, let due = nextServerPing, now >= due {
                    var payload = ByteBuffer()
                    payload.writeDecimalInteger(epochMicros / 1_000)
                    frames.append(WebSocketFrame(fin: true, opcode: .ping, data: payload))
                    state.recordPingSent(payload, at: now)
                    nextServerPing = now + interval
                }
                frames += feed.snapshots(commands.snapshots, epochMicros: epochMicros).map(dataFrame)
            }
            var counts = StreamFeed.PassCounts()
            let data = feed.frames(
                now: now, epochMicros: epochMicros, silenced: silenced, withholdBefore: context.faults.silenceEnd(exchange),
                budget: SimulatorConfiguration.maxFramesPerBatch, counts: &counts
            )
            frames.reserveCapacity(frames.count + data.count)
            frames += data.map(dataFrame)

            if !frames.isEmpty {
                try await outbound.write(contentsOf: frames)
            }
            let sent = frames.reduce(0) { $0 + ($1.opcode == .ping ? 0 : 1) }
            if sent + counts.dropped + counts.withheld + counts.booksSkipped > 0 {
                context.counters.update(exchange) {
                    $0.framesSent += sent
                    $0.tradesSent += counts.trades
                    $0.tickersSent += counts.tickers
                    $0.tradesDropped += counts.dropped
                    $0.tradesWithheld += counts.withheld
                    $0.booksSent += counts.books
                    $0.bookMessagesSkipped += counts.booksSkipped
                    $0.crossedBooksSent += counts.crossedBooks
                }
            }
            if !frames.isEmpty {
                // The writer hands a batch to the event loop without waiting for it; on a busy
                // loop batches would queue without bound. Wait until this one reached the
                // channel, so its writability (the socket's backpressure) governs the next.
                try await eventLoop.submit {}.get()
            }

            deadline += SimulatorConfiguration.tickInterval
            let latest = clock.now
            if deadline < latest - SimulatorConfiguration.tickInterval {
                deadline = latest  // fell behind (slow client or busy machine): do not burst
            }
            try await clock.sleep(until: deadline)
        }
    }

    private func keepaliveViolation(_ policy: KeepalivePolicy, state: SessionState, now: ContinuousClock.Instant) -> String? {
        state.withValues { values in
            switch policy {
            case .serverPing(_, let pongTimeout):
                guard let oldest = values.unansweredPings.first, now - oldest.sentAt > pongTimeout else { return nil }
                return "pong timeout"
            case .idle(let timeout):
                return now - values.lastReceived > timeout ? "idle timeout" : nil
            case .applicationPing(let timeout):
                return now - values.lastApplicationPing > timeout ? "ping timeout" : nil
            case .none:
                return nil
            }
        }
    }

    // MARK: Writing

    private func dataFrame(_ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: handler.opcode, data: data)
    }

    private func write(_ replies: [ByteBuffer], to outbound: Outbound) async throws {
        guard !replies.isEmpty else { return }
        try await outbound.write(contentsOf: replies.map(dataFrame))
        context.counters.update(exchange) { $0.framesSent += replies.count }
    }

    /// Sends a close frame (once per connection) and gives the client ``closeGrace`` to answer
    /// before the session ends and the socket closes.
    private func close(_ outbound: Outbound, state: SessionState, code: WebSocketErrorCode, reason: String) async throws {
        if state.markCloseSent() {
            var data = ByteBuffer()
            data.write(webSocketErrorCode: code)
            data.writeString(reason)
            try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        }
        try await Task.sleep(for: Self.closeGrace)
    }
}
