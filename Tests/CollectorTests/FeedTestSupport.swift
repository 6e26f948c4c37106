import CoinfluxCore
import Collector
import Exchanges
import Foundation
import Logging
import Simulator
import ServiceLifecycle
import Synchronization
import Telemetry

/// Collects what the feeds under test publish.
final class RecordingSink: MarketEventSink {
    private let recorded = Mutex<[MarketEvent]>([])
    private let recordedGaps = Mutex<[SeriesGap]>([])

    func publish(_ events: [MarketEvent]) -> [Int] {
        recorded.withLock { $0.append(contentsOf: events) }
        return []
    }

    func publish(_ gap: SeriesGap) {
        recordedGaps.withLock { $0.append(gap) }
    }

    var events: [MarketEvent] { recorded.withLock { $0 } }
    var gaps: [SeriesGap] { recordedGaps.withLock { $0 } }

    func events(from exchange: Exchange) -> [MarketEvent] {
        events.filter { $0.exchange == exchange }
    }
}

/// The value of one sample of a rendered metric, e.g. `value(of: "coinflux_feed_connected", ["exchange": "upbit"])`.
func metricValue(_ metrics: Metrics, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    var buffer: [UInt8] = []
    metrics.render(into: &buffer)
    // Labels render in the catalogue's order; compare as sets.
    let wantedLabels = Set(labels.map { "\($0.key)=\"\($0.value)\"" })
    for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name) {
        let rest = line.dropFirst(name.count)
        guard let space = rest.lastIndex(of: " ") else { continue }
        let series = rest[..<space]
        let lineLabels: Set<String>
        if series.isEmpty {
            lineLabels = []
        } else if series.hasPrefix("{"), series.hasSuffix("}") {
            lineLabels = Set(series.dropFirst().dropLast().split(separator: ",").map(String.init))
        } else {
            continue
        }
        if lineLabels == wantedLabels { return Double(rest[rest.index(after: space)...]) }
    }
    return nil
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// A simulator with keepalive limits shortened to `cutOff`, for feed tests that must outlive them;
/// every market trades `rate` times a second and each ticker stream gets `rate` tickers a second;
/// a Binance connection holds at most `binanceStreams` streams.
func startSimulator(cutOff: Duration = .seconds(1), rate: Double = 20, binanceStreams: Int = 1_024) async throws -> (ExchangeSimulator, Int) {
    let keepalive = SimulatorConfiguration.Keepalive(
        binancePingInterval: cutOff / 2, binancePongTimeout: cutOff,
        upbitIdleTimeout: cutOff, bithumbIdleTimeout: cutOff, bybitPingTimeout: cutOff, coinonePingTimeout: cutOff)
    let configuration = SimulatorConfiguration(
        tradesPerSecond: rate, tickersPerSecond: rate, seed: 7, keepalive: keepalive, binanceStreamsPerConnection: binanceStreams)
    let simulator = ExchangeSimulator(configuration: configuration, logger: Logger(label: "test.simulator"))
    return (simulator, try await simulator.start())
}

/// The simulator's WebSocket URL and REST base for `exchange`.
func simulatorURLs(_ exchange: Exchange, port: Int) -> (webSocket: URL, rest: URL) {
    let path = switch exchange {
    case .binance: "binance/ws"
    case .upbit: "upbit/websocket/v1"
    case .bybit: "bybit/v5/public/spot"
    case .bithumb: "bithumb/websocket/v1"
    case .coinone: "coinone/"
    }
    // Both are literal loopback URLs built from a valid port.
    return (URL(string: "ws://127.0.0.1:\(port)/\(path)")!, URL(string: "http://127.0.0.1:\(port)/\(exchange.rawValue)")!)
}

/// Symbols each exchange is subscribed to in the tests.
func testSymbols(_ exchange: Exchange) -> [Symbol] {
    switch exchange {
    case .binance, .bybit: [Symbol(base: "BTC", quote: "USDT"), Symbol(base: "ETH", quote: "USDT")]
    case .upbit, .bithumb, .coinone: [Symbol(base: "BTC", quote: "KRW"), Symbol(base: "USDT", quote: "KRW")]
    }
}

/// Feed settings scaled for tests: short timeouts, pings well inside the simulator's cut-off.
func testSettings(silenceTimeout: Duration = .seconds(5), restFallbackAfter: Duration = .seconds(30)) -> FeedSettings {
    FeedSettings(
        silenceTimeout: silenceTimeout,
        backoff: .init(initial: .milliseconds(100), maximum: .milliseconds(800)),
        healthyAfter: .seconds(30),
        restFallbackAfter: restFallbackAfter,
        restPollInterval: .milliseconds(200),
        closeTimeout: .milliseconds(200),
        pingInterval: .milliseconds(250))
}

/// Feeds (or any of their services) running in the background until `stop()`.
struct RunningFeeds {
    private let tasks: [Task<Void, any Error>]

    init(_ feeds: [any Service]) {
        tasks = feeds.map { feed in Task { try await feed.run() } }
    }

    /// Cancels the feeds and waits until they have stopped.
    func stop() async {
        for task in tasks {
            task.cancel()
            _ = try? await task.value
        }
    }
}

/// Sockets of this machine connected to `port` on loopback whose peer has closed while this end
/// has not (TCP state CLOSE_WAIT, `/proc/net/tcp`): a client that forgets to close shows here.
func socketsInCloseWait(toPort port: Int) -> Int {
    guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return -1 }
    let remote = String(format: ":%04X", port)
    return table.split(separator: "\n").dropFirst().filter { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[2].hasSuffix(remote) && fields[3] == "08"
    }.count
}

/// The trade ids of `symbol` the sink received, and those the simulator logged, from the first
/// trade received to a second before the last (so trades still on their way do not count); nil
/// when none was received. A feed that misses and repeats nothing received each logged id once.
func tradeIDs(of symbol: Symbol, on exchange: Exchange, received sink: RecordingSink, logged simulator: ExchangeSimulator)
    -> (received: [String], logged: [String])? {
    let received = sink.events(from: exchange).filter { $0.symbol == symbol && $0.kind == .trade }
    let times = received.map { $0.eventTimeNanos / 1_000_000 }
    guard let first = times.min(), let last = times.max() else { return nil }
    let logged = simulator.trades(of: symbol, on: exchange, since: first, until: last - 1_000).compactMap(\.id)
    return (received.filter { $0.eventTimeNanos / 1_000_000 <= last - 1_000 }.compactMap(\.tradeID), logged)
}
