import AsyncHTTPClient
import CoinfluxCore
import Exchanges
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Telemetry
import WSClient

/// One exchange's order books over a WebSocket connection of their own: subscribes the markets'
/// book channels, keeps each book in sync by the exchange's rules (``BookBoard``), recovers a book
/// that falls out of sync (REST snapshot, resubscription or the next message), and publishes the
/// books in sync to the ``BookSink``.
///
/// A connection of its own because a book channel can change a connection's subscriptions (Upbit's
/// request replaces them all) and its rates are of another order than tickers and trades. Dead
/// sockets (no frame for `silenceTimeout`) are replaced with the feed's backoff; every book starts
/// again from a snapshot on each connection.
public final class BookFeed: Service {
    public let adapter: any OrderBookAdapter
    public let symbols: [Symbol]
    let webSocketURL: URL
    let settings: FeedSettings
    let books: BookSettings
    let sink: any BookSink
    let rest: PacedRESTRequest
    let metrics: BookMetrics
    let logger: Logger
    let problems: RateLimitedLog
    /// Monotonic time of the last frame received.
    private let lastFrameAt = Atomic<Int64>(0)

    /// - Parameters:
    ///   - adapter: the exchange's book protocol.
    ///   - webSocketURL: override of the adapter's WebSocket URL, or nil.
    ///   - restURL: override of the adapter's REST base URL, or nil.
    ///   - symbols: the markets whose books to keep.
    ///   - restPacer: the exchange's REST budget, shared with its feed.
    public init(adapter: any OrderBookAdapter, webSocketURL: URL? = nil, restURL: URL? = nil, symbols: [Symbol],
                settings: FeedSettings = .init(), books: BookSettings = .init(), sink: any BookSink, restPacer: RequestPacer,
                metrics: Metrics, httpClient: HTTPClient = .shared, logger: Logger) {
        self.adapter = adapter
        self.symbols = symbols
        self.webSocketURL = webSocketURL ?? adapter.defaultWebSocketURL
        self.settings = settings
        self.books = books
        self.sink = sink
        self.rest = PacedRESTRequest(restURL: restURL ?? adapter.defaultRESTURL, pacer: restPacer, httpClient: httpClient,
                                     maximumBodyBytes: settings.maximumMessageSize, rateLimitPause: settings.restRateLimitPause)
        self.metrics = BookMetrics(metrics: metrics, exchange: adapter.exchange, markets: symbols.count)
        var logger = logger
        logger[metadataKey: "exchange"] = "\(adapter.exchange.rawValue)"
        logger[metadataKey: "connection"] = "books"
        self.logger = logger
        problems = RateLimitedLog(logger: logger)
    }

    public func run() async throws {
        guard !symbols.isEmpty else { return }
        await cancelWhenGracefulShutdown { await self.maintainConnection() }
    }

    /// Connects again after each connection ends, with the feed's backoff.
    private func maintainConnection() async {
        var backoff = ExponentialBackoff(settings.backoff)
        while !Task.isCancelled {
            let started = monotonicNanoseconds()
            let ended = await connectOnce()
            metrics.setSynchronized(0)
            if Task.isCancelled { break }
            if monotonicNanoseconds() - started >= settings.healthyAfter.saturatingNanoseconds { backoff.reset() }
            let delay = backoff.nextDelay()
            logger.warning("order-book connection down, reconnecting", metadata: [
                "detail": "\(ended)", "delay_ms": "\(delay.saturatingNanoseconds / 1_000_000)",
            ])
            try? await Task.sleep(for: delay)
        }
    }

    /// One connection: connect, subscribe, keep the books until the socket ends; returns why it ended.
    private func connectOnce() async -> String {
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: settings.maximumMessageSize, closeTimeout: settings.closeTimeout,
            autoPing: adapter.connectionPolicy.sendsWebSocketPings ? .enabled(timePeriod: pingInterval) : .disabled
        )
        // An event loop per attempt, as FeedConnection does (the loop's shutdown closes a declined upgrade).
        let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { eventLoop.shutdownGracefully(queue: .global()) { _ in } }
        let client = WebSocketClient(url: webSocketURL.absoluteString, configuration: configuration, tlsConfiguration: settings.tlsConfiguration,
                                     eventLoopGroup: eventLoop, logger: logger) { inbound, outbound, _ in
            try await self.session(inbound: inbound, outbound: outbound)
        }
        do {
            let close = try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop.next())) { try await client.run() }
            return close.map { "close code \($0.closeCode), \($0.reason ?? "")" } ?? "stream ended"
        } catch {
            return "\(error)"
        }
    }

    /// What the session's tasks share: the books and the recovery requests for the sender.
    private final class Session: Sendable {
        let board: Mutex<BookBoard>
        let recoveries: AsyncStream<BookBoard.Action>.Continuation

        init(board: BookBoard, recoveries: AsyncStream<BookBoard.Action>.Continuation) {
            self.board = Mutex(board)
            self.recoveries = recoveries
        }
    }

    private func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let depth = adapter.bookDepth(for: books.depth)
        for frame in adapter.bookSubscriptionFrames(for: symbols, depth: depth) {
            try await send(frame, outbound)
        }
        lastFrameAt.store(monotonicNanoseconds(), ordering: .relaxed)
        logger.info("order-book connection subscribed", metadata: ["markets": "\(symbols.count)", "depth": "\(depth)"])
        let board = BookBoard(exchange: adapter.exchange, symbols: symbols, sequencing: adapter.bookSequencing, depth: books.depth,
                              publishIntervalNanos: books.publishInterval.saturatingNanoseconds)
        let (recoveries, continuation) = AsyncStream.makeStream(of: BookBoard.Action.self)
        let state = Session(board: board, recoveries: continuation)
        defer { continuation.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.receive(inbound, state) }
            group.addTask { try await self.tick(state) }
            group.addTask { try await self.recover(recoveries, state, outbound: outbound, depth: depth) }
            if let ping = adapter.connectionPolicy.clientPing {
                group.addTask {
                    while true {
                        try await Task.sleep(for: self.pingInterval)
                        try await self.send(ping, outbound)
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func receive(_ inbound: WebSocketInboundStream, _ state: Session) async throws {
        var updates: [BookUpdate] = []
        for try await message in inbound.messages(maxSize: settings.maximumMessageSize) {
            lastFrameAt.store(monotonicNanoseconds(), ordering: .relaxed)
            let receivedAt = wallClockNanoseconds()
            updates.removeAll(keepingCapacity: true)
            let bytes: ByteBuffer = switch message {
            case .text(let text): ByteBuffer(string: text)
            case .binary(let buffer): buffer
            }
            do {
                let kind = try bytes.withUnsafeReadableBytes { frame in
                    try adapter.parseBook(frame: frame, receivedAt: receivedAt, into: &updates)
                }
                if case .exchangeError(let text) = kind {
                    metrics.exchangeErrors.increment()
                    problems.warning("exchange sent an error frame on the order-book connection", metadata: ["message": "\(text)"])
                }
            } catch {
                metrics.parseErrors.increment()
                let excerpt = bytes.withUnsafeReadableBytes { RateLimitedLog.excerpt($0) }
                problems.warning("skipped an order-book frame that does not parse", metadata: ["error": "\(error)", "frame": "\(excerpt)"])
                continue
            }
            for update in updates {
                let (outcome, actions) = state.board.withLock { board in board.receive(update, now: receivedAt) }
                metrics.count(outcome)
                perform(actions, state)
            }
        }
    }

    /// Every quarter of the publish interval (at most a second): publishes the books held back,
    /// resynchronises the stale ones, and ends the session when the socket went silent.
    private func tick(_ state: Session) async throws {
        let period = min(books.publishInterval / 4, .seconds(1))
        while true {
            try await Task.sleep(for: max(period, .milliseconds(10)))
            if monotonicNanoseconds() - lastFrameAt.load(ordering: .relaxed) > settings.silenceTimeout.saturatingNanoseconds {
                throw BookFeedEnded(reason: "no frame for \(settings.silenceTimeout)")
            }
            let stale = books.staleAfter.saturatingNanoseconds
            let (actions, synchronized) = state.board.withLock { board in
                (board.flush(now: wallClockNanoseconds(), staleAfterNanos: stale), board.synchronizedCount)
            }
            perform(actions, state)
            metrics.setSynchronized(synchronized)
        }
    }

    /// Carries out the recoveries: REST snapshots within the exchange's budget, resubscriptions.
    private func recover(_ requests: AsyncStream<BookBoard.Action>, _ state: Session, outbound: WebSocketOutboundWriter, depth: Int) async throws {
        for await request in requests {
            switch request {
            case .requestSnapshot(let symbol):
                guard let path = adapter.bookSnapshotPath(for: symbol) else { continue }
                do {
                    let body = try await rest.body(of: path)
                    let snapshot = try body.withUnsafeReadableBytes { bytes in
                        try adapter.parseBookSnapshot(symbol: symbol, body: bytes, receivedAt: wallClockNanoseconds())
                    }
                    metrics.snapshotsFetched.increment()
                    perform(state.board.withLock { $0.receiveSnapshot(snapshot, now: wallClockNanoseconds()) }, state)
                } catch is CancellationError {
                    return
                } catch {
                    metrics.snapshotsFailed.increment()
                    problems.warning("order-book snapshot failed; asking again", metadata: ["symbol": "\(symbol)", "error": "\(error)"])
                    try await Task.sleep(for: .seconds(1))
                    perform(state.board.withLock { $0.snapshotFailed(symbol) }, state)
                }
            case .resubscribe(let symbol):
                for frame in adapter.bookUnsubscriptionFrames(for: [symbol], depth: depth) + adapter.bookSubscriptionFrames(for: [symbol], depth: depth) {
                    try await send(frame, outbound)
                }
            case .publish, .resynchronized:
                continue
            }
        }
    }

    /// Publishes, counts and logs at once; hands recoveries to the recovery task.
    private func perform(_ actions: [BookBoard.Action], _ state: Session) {
        for action in actions {
            switch action {
            case .publish(let book):
                sink.publish(book)
                metrics.published.increment()
            case .resynchronized(let symbol, let reason):
                metrics.countResync(reason)
                problems.warning("order book out of sync; resynchronising", metadata: ["symbol": "\(symbol)", "reason": "\(reason.rawValue)"])
            case .requestSnapshot, .resubscribe:
                state.recoveries.yield(action)
            }
        }
    }

    private var pingInterval: Duration { settings.pingInterval ?? adapter.connectionPolicy.pingInterval }

    private func send(_ frame: OutgoingFrame, _ outbound: WebSocketOutboundWriter) async throws {
        switch frame {
        case .text(let text): try await outbound.write(.text(text))
        case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
        }
    }
}

/// Why an order-book session ended on the collector's side.
struct BookFeedEnded: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
