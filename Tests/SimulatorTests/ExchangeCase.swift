import CoinfluxCore
import Foundation
import NIOWebSocket
import Simulator
import Testing

/// One WebSocket API of the simulator, described for the tests that every API shares: where it
/// is, how to subscribe to BTC's ticker and trades, how its frames and errors look, and its
/// keepalive rule.
struct ExchangeCase: Sendable, CustomTestStringConvertible {
    /// What keeps a connection alive.
    enum Keepalive: Sendable {
        /// The server pings; the client must pong.
        case serverPing
        /// The client must send something (this text) within the idle timeout.
        case idle(ping: String)
        /// The client must send this application ping.
        case applicationPing(String)
        /// Nothing.
        case none
    }

    let name: String
    let exchange: Exchange
    let path: String
    let symbol: Symbol
    /// Frames the server sends on connect.
    let greetings: Int
    /// Messages subscribing to the ticker and the trades of `symbol`.
    let subscribe: [String]
    /// Acknowledgements the subscribe messages get.
    let acks: Int
    let opcode: WebSocketOpcode
    /// Prices and sizes are JSON strings (else JSON numbers).
    let quoted: Bool
    let keepalive: Keepalive
    /// A request the exchange rejects, and whether a reply is its error frame.
    let badRequest: String
    let isError: @Sendable ([String: Any]) -> Bool
    /// The ticker fields of a frame, if it is a ticker of `symbol`.
    let ticker: @Sendable ([String: Any]) -> [String: Any]?
    /// The trade fields of a frame, if it is a trade of `symbol`.
    let trade: @Sendable ([String: Any]) -> [String: Any]?
    /// Keys of the ticker's last price, and of a trade's id, price, size and time.
    let lastPriceKey: String
    let idKey: String?
    let priceKey: String
    let sizeKey: String
    let timeKey: String

    var testDescription: String { name }

    /// A trade's id with the digits sent (numbers read from the raw text, beyond 2^53).
    func tradeID(_ fields: [String: Any], frameText: String) -> String? {
        guard let idKey else { return nil }
        return fields[idKey] as? String ?? rawNumber(idKey, in: frameText)
    }

    /// A price or size field as a number, from a string or a JSON number as the exchange sends it.
    func number(_ value: Any?) -> Double? {
        quoted ? decimalString(value) : jsonNumber(value)
    }

    /// The price range `symbol`'s market moves in.
    var priceRange: ClosedRange<Double> {
        symbol.quote == "KRW" ? 80_000_000...100_000_000 : 55_000...75_000
    }

    static let all: [ExchangeCase] = [binance, upbit, bithumb, bybit, coinone, bithumbLegacy]

    static let binance = ExchangeCase(
        name: "Binance", exchange: .binance, path: "/binance/ws", symbol: Symbol(base: "BTC", quote: "USDT"), greetings: 0,
        subscribe: [#"{"method":"SUBSCRIBE","params":["btcusdt@ticker","btcusdt@trade"],"id":1}"#], acks: 1, opcode: .text,
        quoted: true, keepalive: .serverPing, badRequest: "{not json",
        isError: { $0["code"] is Int && $0["msg"] is String },
        ticker: { $0["e"] as? String == "24hrTicker" && $0["s"] as? String == "BTCUSDT" ? $0 : nil },
        trade: { $0["e"] as? String == "trade" && $0["s"] as? String == "BTCUSDT" ? $0 : nil },
        lastPriceKey: "c", idKey: "t", priceKey: "p", sizeKey: "q", timeKey: "T"
    )

    static let upbit = upbitStyle(name: "Upbit", exchange: .upbit, path: "/upbit/websocket/v1")
    static let bithumb = upbitStyle(name: "Bithumb v1", exchange: .bithumb, path: "/bithumb/websocket/v1")

    private static func upbitStyle(name: String, exchange: Exchange, path: String) -> ExchangeCase {
        ExchangeCase(
            name: name, exchange: exchange, path: path, symbol: Symbol(base: "BTC", quote: "KRW"), greetings: 0,
            subscribe: [#"[{"ticket":"t-1"},{"type":"ticker","codes":["KRW-BTC"]},{"type":"trade","codes":["KRW-BTC"]},{"format":"DEFAULT"}]"#],
            acks: 0, opcode: .binary, quoted: false, keepalive: .idle(ping: "PING"), badRequest: #"{"ticket":"not-an-array"}"#,
            isError: { ($0["error"] as? [String: Any])?["name"] as? String == "WRONG_FORMAT" },
            ticker: { $0["type"] as? String == "ticker" && $0["code"] as? String == "KRW-BTC" ? $0 : nil },
            trade: { $0["type"] as? String == "trade" && $0["code"] as? String == "KRW-BTC" ? $0 : nil },
            lastPriceKey: "trade_price", idKey: "sequential_id", priceKey: "trade_price", sizeKey: "trade_volume", timeKey: "trade_timestamp"
        )
    }

    static let bybit = ExchangeCase(
        name: "Bybit", exchange: .bybit, path: "/bybit/v5/public/spot", symbol: Symbol(base: "BTC", quote: "USDT"), greetings: 0,
        subscribe: [#"{"req_id":"r1","op":"subscribe","args":["tickers.BTCUSDT","publicTrade.BTCUSDT"]}"#], acks: 1, opcode: .text,
        quoted: true, keepalive: .applicationPing(#"{"op":"ping"}"#), badRequest: #"{"op":"subscribe","args":["orderbook.BTC"]}"#,
        isError: { $0["success"] as? Bool == false },
        ticker: { $0["topic"] as? String == "tickers.BTCUSDT" ? $0["data"] as? [String: Any] : nil },
        trade: { $0["topic"] as? String == "publicTrade.BTCUSDT" ? ($0["data"] as? [[String: Any]])?.first : nil },
        lastPriceKey: "lastPrice", idKey: "i", priceKey: "p", sizeKey: "v", timeKey: "T"
    )

    static let coinone = ExchangeCase(
        name: "Coinone", exchange: .coinone, path: "/coinone/", symbol: Symbol(base: "BTC", quote: "KRW"), greetings: 1,
        subscribe: ["TICKER", "TRADE"].map {
            #"{"request_type":"SUBSCRIBE","channel":"\#($0)","topic":{"quote_currency":"KRW","target_currency":"BTC"}}"#
        },
        acks: 2, opcode: .text, quoted: true, keepalive: .applicationPing(#"{"request_type":"PING"}"#),
        badRequest: #"{"request_type":"SUBSCRIBE","channel":"TICKER","topic":{"quote_currency":"KRW"}}"#,
        isError: { $0["response_type"] as? String == "ERROR" && $0["error_code"] is Int },
        ticker: { $0["channel"] as? String == "TICKER" && $0["response_type"] as? String == "DATA" ? $0["data"] as? [String: Any] : nil },
        trade: { $0["channel"] as? String == "TRADE" && $0["response_type"] as? String == "DATA" ? $0["data"] as? [String: Any] : nil },
        lastPriceKey: "last", idKey: "id", priceKey: "price", sizeKey: "qty", timeKey: "timestamp"
    )

    static let bithumbLegacy = ExchangeCase(
        name: "Bithumb legacy", exchange: .bithumb, path: "/bithumb/pub/ws", symbol: Symbol(base: "BTC", quote: "KRW"), greetings: 1,
        subscribe: [#"{"type":"ticker","symbols":["BTC_KRW"],"tickTypes":["24H"]}"#, #"{"type":"transaction","symbols":["BTC_KRW"]}"#],
        acks: 2, opcode: .text, quoted: true, keepalive: .none,
        badRequest: #"{"type":"ticker","symbols":["BTC_KRW"],"tickTypes":["7D"]}"#,
        isError: { $0["status"] as? String == "5100" },
        ticker: { $0["type"] as? String == "ticker" ? $0["content"] as? [String: Any] : nil },
        trade: { $0["type"] as? String == "transaction" ? (($0["content"] as? [String: Any])?["list"] as? [[String: Any]])?.first : nil },
        lastPriceKey: "closePrice", idKey: nil, priceKey: "contPrice", sizeKey: "contQty", timeKey: "contDtm"
    )
}

extension TestWebSocketClient {
    /// Connects to `exchange`, skips its greeting, subscribes to the ticker and trades of its
    /// symbol, skips the acks, and runs `body`.
    static func subscribed<Result: Sendable>(
        _ exchange: ExchangeCase, port: Int, autoPong: Bool = true, _ body: (TestWebSocketClient) async throws -> Result
    ) async throws -> Result {
        try await connect(port: port, path: exchange.path, autoPong: autoPong) { client in
            for _ in 0..<exchange.greetings {
                _ = try await client.nextData()
            }
            for message in exchange.subscribe {
                try await client.send(text: message)
            }
            return try await body(client)
        }
    }

    /// The next `count` trades of `exchange`'s symbol (ids and prices as sent), skipping other
    /// frames and snapshots (an Upbit-style snapshot repeats the last trade before subscribing).
    func trades(_ exchange: ExchangeCase, count: Int, within deadline: Duration = .seconds(10)) async throws -> [ReceivedTrade] {
        var trades: [ReceivedTrade] = []
        while trades.count < count {
            guard let frame = try await nextData(within: deadline) else { break }
            guard let object = frame.object, object["stream_type"] as? String != "SNAPSHOT" else { continue }
            guard let fields = exchange.trade(object), let price = exchange.number(fields[exchange.priceKey]) else { continue }
            trades.append(ReceivedTrade(
                id: exchange.tradeID(fields, frameText: frame.text), price: price,
                time: jsonNumber(fields[exchange.timeKey]).map { Int64($0) }, stamp: fields[exchange.timeKey] as? String
            ))
        }
        return trades
    }
}

/// One trade as a client received it.
struct ReceivedTrade: Equatable, CustomStringConvertible {
    var id: String?
    var price: Double
    /// Epoch ms, where the frame carries it as a number.
    var time: Int64?
    /// The time text, where the frame carries it as a string (Bithumb legacy `contDtm`).
    var stamp: String? = nil

    var description: String { "\(id ?? "-") \(price) \(time.map(String.init) ?? stamp ?? "-")" }

    /// Whether this is `entry` of the trade log.
    func matches(_ entry: LoggedTrade) -> Bool {
        guard id == nil || id == entry.id, time == nil || time == entry.time,
              abs((Double(entry.price) ?? 0) - price) <= 1e-9 * price
        else { return false }
        guard let stamp else { return true }
        // Bithumb legacy: KST time with the trade number's last three digits as extra microseconds.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 9 * 3_600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        let expected = formatter.string(from: Date(timeIntervalSince1970: Double(entry.time) / 1_000)) + String(format: "%03d", Int(entry.number % 1_000))
        return stamp == expected
    }
}
