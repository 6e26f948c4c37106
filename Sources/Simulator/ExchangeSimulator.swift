import CoinfluxCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// An exchange simulator: one HTTP server that speaks the public market-data protocols of
/// Binance, Upbit, Bybit, Bithumb (v1 and legacy) and Coinone, each under its own path prefix
/// at its real paths, so a collector pointed at `ws://HOST:PORT/upbit/websocket/v1` or
/// `http://HOST:PORT/upbit` talks to it as to the exchange.
///
/// Its markets are exchange-wide and trade on its clock (``SimulatorConfiguration/tradesPerSecond``)
/// whether or not anyone is connected; every connection subscribed to a market receives each of
/// its trades, and the log of those trades (``trades(of:on:since:until:)``) is the ground truth
/// a collector's output is compared with.
///
/// Run it as a `Service` in a `ServiceGroup` (``run()``), or in the background with
/// ``start()`` / ``stop()``. Faults are injected with ``inject(_:into:)`` or
/// `POST /admin/<exchange>/<fault>`; ``counters(for:)`` reports what each exchange did.
///
/// URL layout (WebSocket): `/binance/ws`, `/binance/ws/<stream>`, `/binance/stream?streams=a/b`,
/// `/upbit/websocket/v1`, `/bybit/v5/public/spot`, `/bithumb/websocket/v1`, `/bithumb/pub/ws`,
/// `/coinone/`. REST: see ``RESTRoutes``, ``TradeRoutes`` and ``MarketListRoutes``; admin: see ``AdminRoutes``.
public final class ExchangeSimulator: Service, Sendable {
    /// The configuration it was created with.
    public let configuration: SimulatorConfiguration
    private let context: SimulatorContext
    private let logger: Logger
    private let binding = PortBinding()
    private let background = NIOLockedValueBox<Background?>(nil)

    /// How long ``stop()`` waits for connections to close before it cancels the server.
    static let stopDeadline = Duration.seconds(5)

    private struct Background: Sendable {
        let group: ServiceGroup
        let task: Task<Void, any Error>
    }

    /// Creates a simulator; nothing listens until ``run()`` or ``start()``.
    /// - Parameters:
    ///   - configuration: Address, data rate, seed, keepalive rules, exchanges served.
    ///   - logger: Logger for the server and its connections.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), logger: Logger = Logger(label: "coinflux.simulator")) {
        self.configuration = configuration
        self.context = SimulatorContext(configuration: configuration)
        self.logger = logger
    }

    /// Serves until the task is cancelled or graceful shutdown is triggered; call once.
    public func run() async throws {
        do {
            try await makeApplication().run()
        } catch {
            binding.fail(error)
            throw error
        }
        binding.fail(SimulatorError("the simulator stopped before it was listening"))
    }

    /// Starts serving in the background and returns the bound port (the free port picked
    /// when the configuration says 0).
    public func start() async throws -> Int {
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        try background.withLockedValue { background in
            guard background == nil else { throw SimulatorError("the simulator was started already") }
            background = Background(group: group, task: Task { try await group.run() })
        }
        return try await listeningPort()
    }

    /// Waits until the server listens (under ``run()`` or ``start()``) and returns its port;
    /// throws if it stopped or failed to bind first.
    public func listeningPort() async throws -> Int {
        try await binding.port()
    }

    /// Stops a simulator started with ``start()``: stops accepting, closes every WebSocket
    /// with 1001 and waits for the connections to end (at most ``stopDeadline``).
    public func stop() async {
        guard let running = background.withLockedValue({ $0 }) else { return }
        await running.group.triggerGracefulShutdown()
        let watchdog = Task {
            try await Task.sleep(for: Self.stopDeadline)
            running.task.cancel()
        }
        _ = try? await running.task.value
        watchdog.cancel()
    }

    /// The bound port, or nil before the server listens.
    public var port: Int? {
        binding.currentPort
    }

    /// What `exchange`'s endpoints have done so far.
    public func counters(for exchange: Exchange) -> SimulatorCounters {
        context.counters.snapshot(exchange)
    }

    /// Injects `fault` into `exchange`'s endpoints (both Bithumb APIs for `.bithumb`).
    public func inject(_ fault: SimulatorFault, into exchange: Exchange) {
        context.faults.apply(fault, to: exchange)
    }

    /// The logged trades of `symbol` on `exchange` with `since ≤ time ≤ until` (epoch ms), oldest
    /// first: at most ``SimulatorConfiguration/tradeLogCapacity`` of the most recent. Empty for a
    /// market never listed.
    public func trades(of symbol: Symbol, on exchange: Exchange, since: Int64 = .min, until: Int64 = .max) -> [LoggedTrade] {
        context.markets.market(exchange, symbol)?.loggedTrades(since: since, until: until, at: SimulatorContext.epochMicroseconds()) ?? []
    }

    /// The order book of `symbol` on `exchange` at book `tick` (nil: the current tick), as every
    /// book stream and REST served it; nil when books are off, the market was never listed, or the
    /// tick is later than now or older than the last 64.
    public func book(of symbol: Symbol, on exchange: Exchange, tick: Int64? = nil) -> ServedBook? {
        context.markets.market(exchange, symbol)?.servedBook(tick: tick, at: SimulatorContext.epochMicroseconds())
    }

    /// The symbols `exchange` lists now, in the order of its market list.
    public func listedSymbols(on exchange: Exchange) -> [Symbol] {
        context.markets.markets(exchange).filter(\.isListed).map(\.symbol)
    }

    /// Lists `symbol` on `exchange` now: a new market starts trading, a delisted one resumes, and
    /// both appear in the exchange's market list and tickers. False when the exchange is not served.
    @discardableResult
    public func list(_ symbol: Symbol, on exchange: Exchange) -> Bool {
        context.markets.list(symbol, on: exchange, at: SimulatorContext.epochMicroseconds()) != nil
    }

    /// Delists `symbol` on `exchange` now: it stops trading, its streams stop, it leaves the
    /// market lists (Binance keeps it with status `BREAK`) and its REST requests fail. False when
    /// it was not listed.
    @discardableResult
    public func delist(_ symbol: Symbol, on exchange: Exchange) -> Bool {
        context.markets.delist(symbol, on: exchange, at: SimulatorContext.epochMicroseconds())
    }

    /// Sets the warning and alert flags of `symbol` on Upbit or Bithumb (``MarketFlags/none``
    /// clears them), as their market lists with details and Bithumb's alert list serve them.
    /// False for another exchange or a market the exchange never listed.
    @discardableResult
    public func flag(_ symbol: Symbol, on exchange: Exchange, _ flags: MarketFlags) -> Bool {
        guard MarketFlagBoard.exchanges.contains(exchange), context.markets.market(exchange, symbol) != nil else { return false }
        context.flags.set(flags, of: symbol, on: exchange)
        return true
    }

    /// Serves `krwPerUSD` at `/fx/latest/USD` from now on, quoted at `quotedSeconds` (epoch
    /// seconds; nil: the start of each hour).
    public func setFXRate(krwPerUSD: Double, quotedSeconds: Int64? = nil) {
        context.fx.set(krwPerUSD: krwPerUSD, quotedSeconds: quotedSeconds)
    }

    /// The REST requests `exchange`'s endpoints received, in all and per second.
    public func restRequests(for exchange: Exchange) -> RESTRequestCounts {
        context.restRequests.snapshot(exchange)
    }

    private func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RESTMiddleware(faults: context.faults, requests: context.restRequests))
        RESTRoutes.add(to: router, context: context)
        TradeRoutes.add(to: router, context: context)
        MarketListRoutes.add(to: router, context: context)
        AdminRoutes.add(to: router, context: context)
        FXRoutes.add(to: router, context: context)
        let context = self.context
        let binding = self.binding
        let decide: @Sendable (String) -> SimulatorServerChannel.UpgradeDecision = { target in
            guard let endpoint = WebSocketEndpoint.resolve(target, binanceStreamLimit: context.configuration.binanceStreamsPerConnection),
                  context.configuration.exchanges.contains(endpoint.exchange)
            else { return .reject(.notFound) }
            if let status = context.faults.refusal(endpoint.exchange) {
                context.counters.update(endpoint.exchange) { $0.connectionsRefused += 1 }
                return .reject(status)
            }
            return .accept(endpoint)
        }
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in
                SimulatorServerChannel(responder: responder, decide: decide, context: context)
            },
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "coinflux-simulator"
            ),
            onServerRunning: { channel in
                binding.succeed(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
    }
}

/// An error starting or running the simulator.
public struct SimulatorError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The bound port, awaited by ``ExchangeSimulator/start()``.
private final class PortBinding: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case failed(any Error)
    }

    private let state = NIOLockedValueBox<State>(.waiting([]))

    var currentPort: Int? {
        state.withLockedValue {
            if case .bound(let port) = $0 { return port }
            return nil
        }
    }

    func succeed(_ port: Int) {
        resolve(.bound(port)).forEach { $0.resume(returning: port) }
    }

    /// Fails the waiters; ignored once the port is bound.
    func fail(_ error: any Error) {
        resolve(.failed(error)).forEach { $0.resume(throwing: error) }
    }

    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = state.withLockedValue { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .bound(let port):
                    return .success(port)
                case .failed(let error):
                    return .failure(error)
                }
            }
            if let ready {
                continuation.resume(with: ready)
            }
        }
    }

    /// Moves from waiting to `final` and returns the waiters; no-op once resolved.
    private func resolve(_ final: State) -> [CheckedContinuation<Int, any Error>] {
        state.withLockedValue { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = final
            return waiters
        }
    }
}
