// libFuzzer targets `binance`, `upbit`, `bithumb`, `bithumb-legacy`, `bybit`, `coinone`: one
// exchange adapter's WebSocket frame and REST body parsers (ticker, recent trades, market list,
// and for Upbit and Bithumb the market flags: the input as each of the status bodies in turn)
// over arbitrary bytes.
// Built by `fuzz/run.sh <exchange> [seconds]` together with Sources/CoinfluxCore and the pure
// Sources/Exchanges files as one module named CoinfluxCore (so the adapters' own
// `import CoinfluxCore` is a no-op and this file imports neither); run.sh passes the exchange in
// COINFLUX_FUZZ_EXCHANGE.
//
// Oracles, besides "no crash, no hang, no sanitizer report": a failed parse leaves nothing
// appended; a successful one appends only events of this exchange, stamped with the receive
// time, with a finite price and a time after the epoch; a page of recent trades holds only
// backfilled trades of the market asked for; market flags name only alert types.

import Foundation

/// The adapter under test, chosen once per process.
let fuzzedAdapter: any ExchangeAdapter = {
    switch ProcessInfo.processInfo.environment["COINFLUX_FUZZ_EXCHANGE"] ?? "" {
    case "binance": return BinanceAdapter()
    case "upbit": return UpbitAdapter()
    case "bithumb": return BithumbAdapter()
    case "bithumb-legacy": return BithumbLegacyAdapter()
    case "bybit": return BybitAdapter()
    case "coinone": return CoinoneAdapter()
    case let name: fatalError("COINFLUX_FUZZ_EXCHANGE must name an adapter, not \"\(name)\"")
    }
}()

/// A REST path the adapter accepts (Bithumb legacy reads the market from it).
let fuzzedRESTPath = fuzzedAdapter.restTickerPaths(for: [Symbol(base: "BTC", quote: "KRW")])[0]

/// The market of recent-trade pages: that of the exchange's `rest-trades.json` seed.
let fuzzedTradeSymbol: Symbol = {
    switch fuzzedAdapter.exchange {
    case .binance: Symbol(base: "BNB", quote: "BTC")
    case .bybit: Symbol(base: "BTC", quote: "USDT")
    case .coinone: Symbol(base: "XRP", quote: "KRW")
    case .upbit, .bithumb: Symbol(base: "BTC", quote: "KRW")
    }
}()

let fuzzReceivedAt: Int64 = 1_700_000_000_123_456_789

@_cdecl("LLVMFuzzerTestOneInput")
public func exchangeFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let sentinel = MarketEvent(kind: .ticker, exchange: .binance, symbol: Symbol(base: "A", quote: "B"), price: 1, eventTimeNanos: 0, receiveTimeNanos: 0)
    var events = [sentinel]
    let frameOK = (try? fuzzedAdapter.parse(frame: bytes, receivedAt: fuzzReceivedAt, into: &events)) != nil
    check(events, succeeded: frameOK, sentinel: sentinel)
    events = [sentinel]
    let restOK = (try? fuzzedAdapter.parseRESTTicker(path: fuzzedRESTPath, body: bytes, receivedAt: fuzzReceivedAt, into: &events)) != nil
    check(events, succeeded: restOK, sentinel: sentinel)
    if let page = try? fuzzedAdapter.parseRecentTrades(symbol: fuzzedTradeSymbol, body: bytes, receivedAt: fuzzReceivedAt) {
        check([sentinel] + page.trades, succeeded: true, sentinel: sentinel)
        precondition(page.trades.allSatisfy { $0.isBackfilled && $0.kind == .trade && $0.symbol == fuzzedTradeSymbol }, "page not of backfilled trades of \(fuzzedTradeSymbol)")
    }
    _ = try? fuzzedAdapter.parseMarketList(body: bytes)
    if let flagging = fuzzedAdapter as? any MarketStatusAdapter {
        for place in flagging.marketStatusPaths.indices {
            var bodies = Array(repeating: Array("[]".utf8), count: flagging.marketStatusPaths.count)
            bodies[place] = Array(bytes)
            guard let statuses = try? flagging.parseMarketStatuses(bodies: bodies) else { continue }
            precondition(statuses.values.allSatisfy { $0.cautions.allSatisfy { MarketFlags.isCautionName(Array($0.utf8)) } }, "not an alert type in \(statuses)")
        }
    }
    return 0
}

/// Traps unless the parse kept its contract.
func check(_ events: [MarketEvent], succeeded: Bool, sentinel: MarketEvent) {
    precondition(events.first == sentinel, "a parse touched events it did not append")
    precondition(succeeded || events.count == 1, "a failed parse left events appended")
    for event in events.dropFirst() {
        precondition(event.price.isFinite && event.eventTimeNanos >= 0, "implausible event \(event)")
        precondition(event.receiveTimeNanos == fuzzReceivedAt && event.exchange == fuzzedAdapter.exchange, "event not stamped \(event)")
    }
}
