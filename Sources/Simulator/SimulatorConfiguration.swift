import CoinfluxCore

/// Settings of an ``ExchangeSimulator``.
///
/// Defaults are the real exchanges' rules and a modest trade rate; tests shorten the keepalive
/// timeouts to seconds and benchmarks raise the rates.
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
    /// Trades per second of each market, on average (the gaps between trades are exponential,
    /// so several can share a millisecond). Every listed market trades at this rate from the
    /// start, whether or not anyone subscribes; a connection receives every trade of the markets
    /// it subscribes to. 0 ... 100 000. Default: 5.
    public var tradesPerSecond: Double
    /// Ticker frames per second on each ticker subscription of each connection, each reporting the
    /// market's state at that moment. 0 ... 100 000. Default: 1 (Binance's `@ticker` pace).
    public var tickersPerSecond: Double
    /// Order-book ticks per second of each market: every 1 / rate s of epoch time each market's
    /// book moves (a few levels change), whether or not anyone subscribes, and book streams push
    /// the ticks at which their part of the book changed. 0 ... 100 000; 0: no books. Default: 10
    /// (Binance's `@depth@100ms` pace).
    public var booksPerSecond: Double
    /// Order-book ticks per second of each market of the exchanges named, instead of
    /// `booksPerSecond` (their real paces differ: Binance `@depth@100ms` 10, Bybit spot
    /// `orderbook.50` up to 50). Default: empty.
    public var booksPerSecondByExchange: [Exchange: Double] = [:]
    /// Seed of the markets; the same seed gives the same trades (prices, sizes, sides, Binance and
    /// Bybit ids, times relative to the start). Default: nil (random).
    public var seed: UInt64?
    /// Keepalive rules. Default: the real exchanges' values.
    public var keepalive: Keepalive
    /// Exchanges served; the others answer 404. Default: all five.
    public var exchanges: Set<Exchange>
    /// Binance: most streams one connection may hold. A `SUBSCRIBE` that would take a connection
    /// beyond it is refused with an error reply, and a combined-stream URL naming more answers 404.
    /// Tests lower it to check that a collector spreads its symbols over connections. Default: 1 024.
    public var binanceStreamsPerConnection: Int
    /// Markets each exchange lists at the start, in the order of its market list (the 24 h volume
    /// falls along it). Unlisted symbols stream nothing and their REST requests fail the way the
    /// exchange's do. Default: ``defaultMarkets`` (some dozens per exchange).
    public var markets: [Exchange: [Symbol]]
    /// Trades each market keeps in its log (the admin trade log and the REST trade endpoints serve
    /// from it), at most 1 000 000; 48 bytes each at most. Default: 16 384 (55 min at the default rate).
    public var tradeLogCapacity: Int
    /// How many of a market's most recent trades each exchange's REST trade endpoints reach back;
    /// exchanges not named reach the whole log. Tests make one exchange shallower than a gap.
    /// Default: empty.
    public var restHistoryDepth: [Exchange: Int]

    /// Creates a configuration; every parameter has a default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        tradesPerSecond: Double = 5,
        tickersPerSecond: Double = 1,
        booksPerSecond: Double = 10,
        seed: UInt64? = nil,
        keepalive: Keepalive = Keepalive(),
        exchanges: Set<Exchange> = Set(Exchange.allCases),
        binanceStreamsPerConnection: Int = 1_024,
        markets: [Exchange: [Symbol]] = SimulatorConfiguration.defaultMarkets,
        tradeLogCapacity: Int = 16_384,
        restHistoryDepth: [Exchange: Int] = [:]
    ) {
        self.host = host
        self.port = port
        self.tradesPerSecond = tradesPerSecond
        self.tickersPerSecond = tickersPerSecond
        self.booksPerSecond = booksPerSecond
        self.seed = seed
        self.keepalive = keepalive
        self.exchanges = exchanges
        self.binanceStreamsPerConnection = binanceStreamsPerConnection
        self.markets = markets
        self.tradeLogCapacity = tradeLogCapacity
        self.restHistoryDepth = restHistoryDepth
    }

    /// Highest rate honoured, for trades and books per market and for tickers per subscription.
    static let maxRate = 100_000.0

    /// `tradesPerSecond` clamped to 0 ... ``maxRate`` (NaN counts as 0).
    var effectiveTradesPerSecond: Double { Self.clamp(tradesPerSecond) }
    /// `tickersPerSecond` clamped to 0 ... ``maxRate`` (NaN counts as 0).
    var effectiveTickersPerSecond: Double { Self.clamp(tickersPerSecond) }
    /// `exchange`'s book rate (`booksPerSecondByExchange`, else `booksPerSecond`) clamped to
    /// 0 ... ``maxRate`` (NaN counts as 0).
    func effectiveBooksPerSecond(_ exchange: Exchange) -> Double {
        Self.clamp(booksPerSecondByExchange[exchange] ?? booksPerSecond)
    }
    /// `tradeLogCapacity` clamped to 1 ... 1 000 000.
    var effectiveLogCapacity: Int { min(max(1, tradeLogCapacity), 1_000_000) }

    /// How many recent trades `exchange`'s REST trade endpoints serve.
    func historyDepth(_ exchange: Exchange) -> Int {
        min(max(0, restHistoryDepth[exchange] ?? .max), effectiveLogCapacity)
    }

    private static func clamp(_ rate: Double) -> Double {
        rate.isFinite ? min(max(0, rate), maxRate) : 0
    }

    /// Most frames one connection sends in one pass of its send loop.
    static let maxFramesPerBatch = 2_048
    /// Trades a stream may fall behind its market before the backlog is dropped (counted as
    /// `tradesDropped`): a slow client loses data rather than growing a queue.
    static let maxBacklog: Int64 = 8_192
    /// How often each connection's send loop wakes: data, pings, timeouts and faults.
    static let tickInterval = Duration.milliseconds(5)
    /// Largest client message accepted (fragments included); bigger ones close with 1009.
    static let maxClientMessageBytes = 64 * 1_024
}
