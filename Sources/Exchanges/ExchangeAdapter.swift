import CoinfluxCore
import Foundation

/// One exchange's public market-data protocol: how to subscribe, how to keep the socket alive,
/// and how to turn its frames (WebSocket and REST) into `MarketEvent`s.
///
/// Adapters are pure: no sockets, no clocks. The feed service owns the connection and calls
/// them with bytes; `coinflux decode`, the tests and the fuzzers call them the same way.
/// Adding an exchange is one new file conforming to this protocol plus one line in `ExchangeRegistry`.
public protocol ExchangeAdapter: Sendable {
    /// Which exchange this adapter speaks for.
    var exchange: Exchange { get }
    /// The exchange's public WebSocket endpoint.
    var defaultWebSocketURL: URL { get }
    /// The exchange's public REST base URL (scheme and host; paths come from `restTickerPaths`).
    var defaultRESTURL: URL { get }
    /// How this exchange's connections are kept alive and how long they may live.
    var connectionPolicy: ConnectionPolicy { get }

    /// The exchange's own spelling of a normalized symbol (`BTC-USDT` → `btcusdt`, `KRW-BTC`, …).
    func exchangeSymbol(for symbol: Symbol) -> String
    /// The normalized symbol for the exchange's own spelling (any letter case); nil when it cannot be mapped.
    func symbol(forExchangeSymbol code: String) -> Symbol?
    /// The WebSocket path/query to connect to for these symbols, relative to the base URL;
    /// nil to use the base URL as it is (most exchanges subscribe by message instead).
    func webSocketPath(for symbols: [Symbol]) -> String?
    /// Frames to send right after connecting, chunked within the exchange's subscription limits.
    func subscriptionFrames(for symbols: [Symbol]) -> [OutgoingFrame]

    /// Parses one WebSocket frame (text or binary, the bytes are the same JSON).
    /// - Parameters:
    ///   - frame: the frame's payload.
    ///   - receivedAt: receive time, nanoseconds since the epoch, stamped on every event.
    ///   - events: parsed events are appended here (a frame may hold several trades).
    /// - Returns: what kind of frame it was.
    /// - Throws: `FrameError` for anything malformed; nothing is appended then.
    func parse(frame: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError) -> FrameKind

    /// REST ticker paths (with query) to poll for these symbols while the socket is down.
    func restTickerPaths(for symbols: [Symbol]) -> [String]
    /// How many of those requests per second the REST fallback may send, for all of the
    /// exchange's connections together: a share of the exchange's documented public limit per
    /// IP, which anything else on the host shares too.
    var restRequestsPerSecond: Double { get }
    /// Parses one REST ticker response body into ticker events.
    /// - Parameters:
    ///   - path: the path (one of `restTickerPaths`) the body answers; Bithumb's legacy ticker names
    ///     its market only there.
    ///   - body: the response body.
    ///   - receivedAt: receive time, nanoseconds since the epoch, stamped on every event.
    ///   - events: parsed events are appended here.
    /// - Throws: `FrameError` for a malformed body or an exchange error reply; nothing is appended then.
    func parseRESTTicker(path: String, body: UnsafeRawBufferPointer, receivedAt: Int64, into events: inout [MarketEvent]) throws(FrameError)

    /// How the exchange serves recent trades over REST; nil when it serves none usable for a
    /// backfill (no trade ids).
    var tradeHistory: TradeHistoryAPI? { get }
    /// The path (with query) of one page of `symbol`'s recent trades; nil when the exchange cannot
    /// serve that page (``TradePage/fromID(_:)`` where it does not page by id, say).
    func recentTradesPath(for symbol: Symbol, page: TradePage) -> String?
    /// Parses one page of recent trades of `symbol` (the body of a ``recentTradesPath(for:page:)``).
    /// - Returns: the trades, built as the WebSocket parser builds them and marked backfilled.
    /// - Throws: `FrameError` for a malformed body, an exchange error reply or a trade of another market.
    func parseRecentTrades(symbol: Symbol, body: UnsafeRawBufferPointer, receivedAt: Int64) throws(FrameError) -> TradeHistoryPage

    /// The path (with query) of the exchange's list of spot markets; nil when it has none.
    var marketListPath: String? { get }
    /// Parses the market list: every spot market whose exchange code the WebSocket parser maps to a
    /// normalized symbol (others are left out), in the order listed, and whether it trades.
    /// - Throws: `FrameError` for a malformed body or an exchange error reply.
    func parseMarketList(body: UnsafeRawBufferPointer) throws(FrameError) -> [ListedMarket]
}

extension ExchangeAdapter {
    /// Whether trade ids count up by one per trade and symbol, so a jump in them is a gap of known size.
    public var tradeIDsAreConsecutive: Bool { tradeHistory?.paging == .fromID }
}

/// A frame the client sends.
public enum OutgoingFrame: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}

/// What a successfully parsed frame was.
public enum FrameKind: Sendable, Equatable {
    /// Market data; the events were appended.
    case data
    /// The server acknowledged a subscription (or greeted a new connection), with its text.
    case acknowledgement(String)
    /// The reply to a client keepalive.
    case pong
    /// The exchange reported an error, with its message; the connection may still be usable.
    case exchangeError(String)
    /// A well-formed frame that carries nothing coinflux uses (e.g. a status message).
    case ignored
}

/// Why a frame could not be parsed. Counted per exchange; the frame is skipped.
public struct FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short reason, e.g. "missing field trade_price" or "truncated JSON at byte 41".
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Keepalive and lifetime rules of an exchange's WebSocket connections.
public struct ConnectionPolicy: Sendable, Equatable {
    /// A message the client must send periodically, if the exchange wants one.
    public var clientPing: OutgoingFrame?
    /// How often to send `clientPing` (or a WebSocket ping frame when `clientPing` is nil and
    /// `sendsWebSocketPings` is true).
    public var pingInterval: Duration
    /// Whether the client should send WebSocket-level ping frames.
    public var sendsWebSocketPings: Bool
    /// Reconnect proactively after this long (Binance cuts connections at 24 h); nil for no limit.
    public var maximumConnectionAge: Duration?
    /// Most symbols-or-topics per subscription request; `Int.max` where the exchange documents no limit.
    public var maximumTopicsPerRequest: Int
    /// Most streams one connection may carry (Binance: 1 024); `Int.max` where the exchange documents
    /// no limit. Symbols beyond it go to further connections (`connectionGroups(for:streamsPerConnection:)`).
    public var maximumStreamsPerConnection: Int

    public init(clientPing: OutgoingFrame?, pingInterval: Duration, sendsWebSocketPings: Bool,
                maximumConnectionAge: Duration?, maximumTopicsPerRequest: Int, maximumStreamsPerConnection: Int) {
        self.clientPing = clientPing
        self.pingInterval = pingInterval
        self.sendsWebSocketPings = sendsWebSocketPings
        self.maximumConnectionAge = maximumConnectionAge
        self.maximumTopicsPerRequest = maximumTopicsPerRequest
        self.maximumStreamsPerConnection = maximumStreamsPerConnection
    }
}
