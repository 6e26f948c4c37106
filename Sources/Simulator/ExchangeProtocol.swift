import CoinfluxCore
import Foundation
import NIOCore
import NIOWebSocket

/// What a market-data stream carries.
enum StreamChannel: Hashable, Sendable {
    case ticker
    case trade
    /// The order book (``SimulatedBook``).
    case book
}

/// One stream a client subscribed to on one connection.
struct Subscription: Hashable, Sendable {
    var channel: StreamChannel
    var symbol: Symbol
    /// The market code as the exchange writes it in frames (`BTCUSDT`, `KRW-BTC`, `BTC_KRW`).
    var code: String
    /// The exchange's name for the stream where frames carry it (Binance stream name,
    /// Bybit topic, Bithumb tick type); empty otherwise.
    var name: String = ""
    /// Send one frame marked as a snapshot right after subscribing (Upbit-compatible APIs).
    var snapshot = false
    /// Keep streaming after the snapshot (false for Upbit's `is_only_snapshot`).
    var realtime = true
    /// Book streams: levels per side carried (0: the whole book).
    var depth = 0
    /// Book streams: push once a second (Binance `@depth`) instead of every book tick.
    var onceASecond = false
    /// Set when a connection adds the stream, so that one subscribed again after an unsubscribe
    /// starts afresh (a new Bybit snapshot).
    var serial = 0
}

/// How a client's request changes its subscriptions.
enum SubscriptionUpdate: Sendable {
    /// Add streams not yet subscribed.
    case add([Subscription])
    /// Remove streams with the same channel and code.
    case remove([Subscription])
    /// Replace every subscription (Upbit: each request replaces the previous one).
    case replace([Subscription])
}

/// The simulator's answer to one client message.
struct RequestOutcome: Sendable {
    /// Frames to send back at once (acks, errors, pongs), in order.
    var replies: [ByteBuffer] = []
    var update: SubscriptionUpdate?
    /// Subscribe requests in the message, for the counters.
    var subscribeRequests = 0
    /// True when the message is the exchange's application-level ping.
    var isKeepalivePing = false
}

extension RequestOutcome {
    /// A subscribe request (adds `subscriptions`, counted) or an unsubscribe request (removes
    /// them), answered with `replies`.
    static func subscribing(_ subscribe: Bool, _ subscriptions: [Subscription], replies: [ByteBuffer]) -> RequestOutcome {
        RequestOutcome(
            replies: replies, update: subscribe ? .add(subscriptions) : .remove(subscriptions), subscribeRequests: subscribe ? 1 : 0
        )
    }
}

/// What the server enforces to keep a connection alive.
enum KeepalivePolicy: Sendable, Equatable {
    /// The server sends WebSocket pings every `interval` and drops a client whose pong with
    /// the same payload does not arrive within `pongTimeout` (Binance).
    case serverPing(interval: Duration, pongTimeout: Duration)
    /// Dropped after `timeout` without receiving anything: a message, a WebSocket ping or a
    /// text `PING` (Upbit, Bithumb v1).
    case idle(timeout: Duration)
    /// Dropped `timeout` after the last application-level ping message (Bybit, Coinone).
    case applicationPing(timeout: Duration)
    /// Nothing enforced (Bithumb legacy documents no keepalive rule).
    case none
}

/// The per-connection facts a protocol needs to answer a request.
struct SessionInfo: Sendable {
    /// Identifier the exchange reports for the connection (Bybit `conn_id`, Coinone `session_id`).
    var connectionID: String
    /// Current subscriptions, in subscription order.
    var subscriptions: [Subscription]
}

/// One exchange's public market-data WebSocket protocol, as the simulator speaks it.
///
/// Every exchange file implements this the same way: greeting, request handling, data frames,
/// error frame, a wrongly typed frame for fault injection, and its keepalive rule.
protocol ExchangeProtocol: Sendable {
    /// The exchange, for counters and faults.
    var exchange: Exchange { get }
    /// Opcode of every frame the server sends (binary for Upbit and Bithumb v1).
    var opcode: WebSocketOpcode { get }
    /// Frames sent right after the upgrade.
    func greeting(_ session: SessionInfo) -> [ByteBuffer]
    /// Answers one complete client message (text or binary).
    func handle(_ message: ByteBuffer, session: SessionInfo) -> RequestOutcome
    /// Writes the frame of one trade of `subscription`'s market; `market` is that market's state.
    func writeTrade(_ subscription: Subscription, trade: SimulatedTrade, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer)
    /// Writes one ticker frame of `subscription` reporting `market`.
    func writeTicker(_ subscription: Subscription, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer)
    /// Writes the book frame of `subscription` for `frame.book`; false (nothing written) when none
    /// is due: the part of the book the stream carries did not change since `frame.previous`.
    func writeBook(_ subscription: Subscription, _ frame: BookFrame, into buffer: inout ByteBuffer) -> Bool
    /// The exchange's error frame, sent by the `error` fault.
    func errorFrame(_ session: SessionInfo) -> ByteBuffer
    /// A frame shaped like this exchange's ticker but with wrongly typed values.
    func wrongTypeFrame() -> ByteBuffer
    /// The keepalive rule, with the configured timeouts.
    func keepalive(_ settings: SimulatorConfiguration.Keepalive) -> KeepalivePolicy
}

/// Parsing of the few small client requests; never on the send path.
enum ClientMessage {
    /// The message as JSON (objects, arrays, fragments), or nil if it is not valid JSON.
    static func json(_ message: ByteBuffer) -> Any? {
        guard message.readableBytes > 0 else { return nil }
        let data = Data(message.readableBytesView)
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// The message as UTF-8 text, trimmed of surrounding whitespace.
    static func text(_ message: ByteBuffer) -> String {
        String(decoding: message.readableBytesView, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An upper-case asset made of ASCII letters and digits (`BTC`), or nil.
    static func asset(_ value: Any?) -> String? {
        guard let text = value as? String, !text.isEmpty, text.count <= 16,
              text.utf8.allSatisfy({ isAlphanumeric($0) })
        else { return nil }
        return text.uppercased()
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

extension Symbol {
    /// Quote assets recognised at the end of a concatenated code such as `BTCUSDT`, longest first.
    private static let concatenatedQuotes = ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "KRW", "BTC", "ETH", "BNB", "EUR", "TRY", "DAI"]

    /// Splits a Binance/Bybit code (`BTCUSDT`, any case) into base and quote; nil when no
    /// known quote asset ends it or the base would be empty.
    static func splitting(concatenated code: String) -> Symbol? {
        let upper = code.uppercased()
        guard !upper.isEmpty, upper.utf8.allSatisfy(ClientMessage.isAlphanumeric) else { return nil }
        for quote in concatenatedQuotes where upper.hasSuffix(quote) && upper.count > quote.count {
            return Symbol(base: String(upper.dropLast(quote.count)), quote: quote)
        }
        return nil
    }

    /// Parses `QUOTE-BASE` (Upbit and Bithumb v1 market codes, upper case).
    static func parsing(quoteDashBase code: String) -> Symbol? {
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let quote = ClientMessage.asset(String(parts[0])), quote == parts[0],
              let base = ClientMessage.asset(String(parts[1])), base == parts[1]
        else { return nil }
        return Symbol(base: base, quote: quote)
    }
}
