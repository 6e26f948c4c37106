import CoinfluxCore

/// Settings of an ``ExchangeSimulator``.
///
/// Defaults are the real exchanges' rules and a modest data rate; tests shorten the keepalive
/// timeouts to seconds and benchmarks raise the rate.
public struct SimulatorConfiguration: Sendable {
    /// Keepalive rules, one per exchange, with the real exchanges' values as defaults.
    public struct Keepalive: Sendable, Equatable {
        /// Binance: how often the server sends a WebSocket ping. Default: 20 s.
        public var binancePingInterval: Duration
        /// Binance: how long the server waits for the matching pong before it drops the
        /// client. Default: 60 s.
        public var binancePongTimeout: Duration
        /// Upbit: a connection that receives nothing for this long is closed. Default: 120 s.
        public var upbitIdleTimeout: Duration
        /// Bithumb v1 (Upbit-compatible): idle timeout. Default: 120 s.
        public var bithumbIdleTimeout: Duration
        /// Bybit: a connection without `{"op":"ping"}` for this long is closed. Default: 10 min.
        public var bybitPingTimeout: Duration
        /// Coinone: a connection is closed this long after the last `PING`. Default: 30 min.
        public var coinonePingTimeout: Duration

        /// Creates keepalive rules; every parameter defaults to the real exchange's value.
        public init(
            binancePingInterval: Duration = .seconds(20),
            binancePongTimeout: Duration = .seconds(60),
            upbitIdleTimeout: Duration = .seconds(120),
            bithumbIdleTimeout: Duration = .seconds(120),
            bybitPingTimeout: Duration = .seconds(600),
            coinonePingTimeout: Duration = .seconds(1_800)
        ) {
            self.binancePingInterval = binancePingInterval
            self.binancePongTimeout = binancePongTimeout
            self.upbitIdleTimeout = upbitIdleTimeout
            self.bithumbIdleTimeout = bithumbIdleTimeout
            self.bybitPingTimeout = bybitPingTimeout
            self.coinonePingTimeout = coinonePingTimeout
        }
    }

    /// Address to bind. Default: `127.0.0.1`.
    public var host: String
    /// Port to bind; 0 picks a free one (``ExchangeSimulator/start()`` returns it). Default: 0.
    public var port: Int
    /// Market-data frames (tickers and trades, alternating over the subscribed streams) sent
    /// per second on each connection, at most 1 000 000. Default: 10.
    public var framesPerSecond: Double
    /// Seed of the price walks; the same seed gives every connection the same market.
    /// Default: nil (random).
    public var seed: UInt64?
    /// Keepalive rules. Default: the real exchanges' values.
    public var keepalive: Keepalive
    /// Exchanges served; the others answer 404. Default: all five.
    public var exchanges: Set<Exchange>
    /// Binance: most streams one connection may hold. A `SUBSCRIBE` that would take a connection
    /// beyond it is refused with an error reply, and a combined-stream URL naming more answers 404.
    /// Tests lower it to check that a collector spreads its symbols over connections. Default: 1 024.
    public var binanceStreamsPerConnection: Int

    /// Creates a configuration; every parameter has a default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        framesPerSecond: Double = 10,
        seed: UInt64? = nil,
        keepalive: Keepalive = Keepalive(),
        exchanges: Set<Exchange> = Set(Exchange.allCases),
        binanceStreamsPerConnection: Int = 1_024
    ) {
        self.host = host
        self.port = port
        self.framesPerSecond = framesPerSecond
        self.seed = seed
        self.keepalive = keepalive
        self.exchanges = exchanges
        self.binanceStreamsPerConnection = binanceStreamsPerConnection
    }

    /// Highest per-connection rate honoured; one connection cannot send more than
    /// ``maxFramesPerBatch`` per ``tickInterval`` (about 400 000 frames/s) anyway.
    static let maxFramesPerSecond = 1_000_000.0

    /// `framesPerSecond` clamped to 0 ... ``maxFramesPerSecond`` (NaN counts as 0).
    var effectiveFramesPerSecond: Double {
        framesPerSecond.isFinite ? min(max(0, framesPerSecond), Self.maxFramesPerSecond) : 0
    }

    /// Most frames one connection sends in one pass of its send loop; a client that falls
    /// further behind loses the backlog rather than growing a queue.
    static let maxFramesPerBatch = 2_048
    /// How often each connection's send loop wakes: data, pings, timeouts and faults.
    static let tickInterval = Duration.milliseconds(5)
    /// Largest client message accepted (fragments included); bigger ones close with 1009.
    static let maxClientMessageBytes = 64 * 1_024
}
