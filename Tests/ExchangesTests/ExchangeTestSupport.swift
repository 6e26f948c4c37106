import CoinfluxCore
import Exchanges
import Foundation
import Testing

/// The receive time every test passes (2023-11-14T22:13:20.123456789Z, arbitrary).
let receivedAt: Int64 = 1_700_000_000_123_456_789

/// Frames and bodies under `Fixtures/<adapter>/`, written in the shapes the exchanges document.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The bytes of `Fixtures/<name>` without the file's trailing newline.
    static func bytes(_ name: String) throws -> [UInt8] {
        var bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") {
            bytes.removeLast()
        }
        return bytes
    }

    /// Every fixture of one folder, by file name (`ticker.json`), sorted.
    static func all(in folder: String) throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { ($0, try bytes(folder + "/" + $0)) }
    }
}

/// A successfully parsed frame.
struct Parsed {
    var kind: FrameKind
    var events: [MarketEvent]
}

/// Parses one WebSocket frame.
func parse(_ adapter: any ExchangeAdapter, _ bytes: [UInt8]) throws(FrameError) -> Parsed {
    var events: [MarketEvent] = []
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(FrameError) in try adapter.parse(frame: buffer, receivedAt: receivedAt, into: &events) }
    }
    return Parsed(kind: try result.get(), events: events)
}

/// Parses one WebSocket frame given as text (a text frame's payload is its UTF-8).
func parse(_ adapter: any ExchangeAdapter, text: String) throws(FrameError) -> Parsed {
    try parse(adapter, Array(text.utf8))
}

/// Parses one REST body fetched from `path`.
func parseREST(_ adapter: any ExchangeAdapter, path: String, _ bytes: [UInt8]) throws(FrameError) -> [MarketEvent] {
    var events: [MarketEvent] = []
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(FrameError) in
            try adapter.parseRESTTicker(path: path, body: buffer, receivedAt: receivedAt, into: &events)
        }
    }
    try result.get()
    return events
}

/// An event already in the output array before a parse, which a failing parse must leave alone.
let sentinel = MarketEvent(
    kind: .ticker, exchange: .binance, symbol: Symbol(base: "SENT", quote: "INEL"), price: 1,
    eventTimeNanos: 1, receiveTimeNanos: 2
)

/// Expects the frame to be rejected with a `FrameError` that appends nothing.
/// - Returns: the error, for checks of its reason.
@discardableResult
func expectRejected(
    _ adapter: any ExchangeAdapter, _ bytes: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> FrameError? {
    var events = [sentinel]
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(FrameError) in try adapter.parse(frame: buffer, receivedAt: receivedAt, into: &events) }
    }
    #expect(events == [sentinel], "a failed parse appended events", sourceLocation: sourceLocation)
    guard case .failure(let error) = result else {
        Issue.record("accepted as \(result): \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    }
    return error
}

/// `expectRejected` for text.
@discardableResult
func expectRejected(
    _ adapter: any ExchangeAdapter, text: String, _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> FrameError? {
    expectRejected(adapter, Array(text.utf8), comment, sourceLocation: sourceLocation)
}

/// Expects the REST body to be rejected with a `FrameError` that appends nothing.
@discardableResult
func expectRESTRejected(
    _ adapter: any ExchangeAdapter, path: String, _ bytes: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> FrameError? {
    var events = [sentinel]
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(FrameError) in
            try adapter.parseRESTTicker(path: path, body: buffer, receivedAt: receivedAt, into: &events)
        }
    }
    #expect(events == [sentinel], "a failed REST parse appended events", sourceLocation: sourceLocation)
    guard case .failure(let error) = result else {
        Issue.record("REST body accepted: \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    }
    return error
}

/// The text of a fixture with one `"key":value` member (scalar value) removed, for missing-field tests.
func removing(_ key: String, from bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    let value = #"("(?:[^"\\]|\\.)*"|-?[0-9.eE+-]+|true|false|null)"#
    let member = "\"" + NSRegularExpression.escapedPattern(for: key) + "\":" + value
    for pattern in [",\(member)", "\(member),", member] {
        if let range = text.range(of: pattern, options: .regularExpression) {
            return text.replacingCharacters(in: range, with: "")
        }
    }
    Issue.record("no member \(key) in \(text)")
    return text
}

/// The text of a fixture with the value of its first `"key":` member (a scalar) replaced by `value`.
func replacing(_ key: String, with value: String, in bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    let pattern = "\"" + NSRegularExpression.escapedPattern(for: key) + #"":("(?:[^"\\]|\\.)*"|-?[0-9.eE+-]+|true|false|null)"#
    guard let range = text.range(of: pattern, options: .regularExpression) else {
        Issue.record("no member \(key) in \(text)")
        return text
    }
    return text.replacingCharacters(in: range, with: "\"\(key)\":\(value)")
}

/// Parses one page of recent trades of `symbol`.
func parseTrades(_ adapter: any ExchangeAdapter, symbol: Symbol, _ bytes: [UInt8]) throws(FrameError) -> TradeHistoryPage {
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(FrameError) in try adapter.parseRecentTrades(symbol: symbol, body: buffer, receivedAt: receivedAt) }
    }
    return try result.get()
}

/// Parses a market list.
func parseMarkets(_ adapter: any ExchangeAdapter, _ bytes: [UInt8]) throws(FrameError) -> [ListedMarket] {
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(FrameError) in try adapter.parseMarketList(body: buffer) }
    }
    return try result.get()
}

/// Expects the page of recent trades to be rejected.
/// - Returns: the error, for checks of its reason.
@discardableResult
func expectTradesRejected(
    _ adapter: any ExchangeAdapter, symbol: Symbol, _ bytes: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> FrameError? {
    do {
        let page = try parseTrades(adapter, symbol: symbol, bytes)
        Issue.record("trades accepted (\(page.trades.count)): \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Expects the market list to be rejected.
/// - Returns: the error, for checks of its reason.
@discardableResult
func expectMarketsRejected(
    _ adapter: any ExchangeAdapter, _ bytes: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> FrameError? {
    do {
        let markets = try parseMarkets(adapter, bytes)
        Issue.record("market list accepted (\(markets.count)): \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// `event`, recovered over REST, as the stream parser gives the same trade: not backfilled (both
/// parsers stamp the same receive time in these tests).
func asReceivedLive(_ event: MarketEvent) -> MarketEvent {
    var live = event
    live.isBackfilled = false
    return live
}
