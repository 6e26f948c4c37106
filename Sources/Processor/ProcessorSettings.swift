import CoinfluxCore
import ProcessorCore

/// How a processor runs, from the `processor.*`, `kafka.*` and `influxdb.*` configuration.
public struct ProcessorSettings: Sendable {
    /// Topic of market events (`market.ticks`).
    public var ticksTopic: String
    /// Topic of KRW-per-USDT rates, read in full by every instance (`market.fx`).
    public var fxTopic: String
    /// Topic of dead letters (`market.deadletter`).
    public var deadLetterTopic: String
    /// Statistics and premium settings.
    public var derivation: PointDeriver.Settings
    /// Points per write; a batch is written when it has this many, or when `flushInterval` has
    /// passed since its first message.
    public var batchPoints: Int
    /// Longest time a message waits before its points are written.
    public var flushInterval: Duration
    /// Messages per partition re-read before the committed offset on assignment, to rebuild
    /// statistics and candles without writing those points again.
    public var warmupMessages: Int
    /// Largest number of messages one poll returns.
    public var pollMessages: Int
    /// Series (exchange, symbol) whose price and deviation are also exported as metrics, and
    /// whose base assets' premiums are; everything else goes to InfluxDB only.
    public var watchlist: Set<Symbol>
    /// Shortest time between two offset commits (acknowledged offsets wait for the next);
    /// zero commits after every write.
    public var commitInterval: Duration
    /// How long graceful shutdown may spend writing the last batch before it gives up (the
    /// uncommitted messages are then read again by the next owner).
    public var shutdownTimeout: Duration

    public init(
        ticksTopic: String = "market.ticks",
        fxTopic: String = "market.fx",
        deadLetterTopic: String = "market.deadletter",
        derivation: PointDeriver.Settings,
        batchPoints: Int = 10_000,
        flushInterval: Duration = .milliseconds(200),
        warmupMessages: Int = 50_000,
        pollMessages: Int = 2_000,
        watchlist: Set<Symbol> = [],
        commitInterval: Duration = .seconds(1),
        shutdownTimeout: Duration = .seconds(10)
    ) {
        self.ticksTopic = ticksTopic
        self.fxTopic = fxTopic
        self.deadLetterTopic = deadLetterTopic
        self.derivation = derivation
        self.batchPoints = batchPoints
        self.flushInterval = flushInterval
        self.warmupMessages = warmupMessages
        self.pollMessages = pollMessages
        self.watchlist = watchlist
        self.commitInterval = commitInterval
        self.shutdownTimeout = shutdownTimeout
    }
}
