import CoinfluxCore
import NIOCore
import NIOWebSocket

/// Bithumb's legacy public stream (`/pub/ws`).
///
/// Greets with `Connected Successfully`; filters `{"type":"ticker","symbols":[…],"tickTypes":[…]}`
/// and `{"type":"transaction","symbols":[…]}` are acknowledged with `Filter Registered
/// Successfully` (status 0000) or rejected with `Invalid Filter Syntax` (5100). Every value is a
/// string; volumes carry ~29 significant digits; dates and `contDtm` are KST without a zone.
struct BithumbLegacyProtocol: ExchangeProtocol {
    var exchange: Exchange { .bithumb }
    var opcode: WebSocketOpcode { .text }

    private static let tickTypes: Set<String> = ["30M", "1H", "12H", "24H", "MID"]

    func greeting(_ session: SessionInfo) -> [ByteBuffer] {
        [ByteBuffer(string: #"{"status":"0000","resmsg":"Connected Successfully"}"#)]
    }

    func handle(_ message: ByteBuffer, session: SessionInfo) -> RequestOutcome {
        guard let filter = ClientMessage.json(message) as? [String: Any],
              let type = filter["type"] as? String,
              let symbols = filter["symbols"] as? [Any], !symbols.isEmpty, symbols.count <= 1_024
        else { return Self.invalidFilter }
        let channel: StreamChannel?
        var tickType = ""
        switch type {
        case "ticker":
            guard let types = filter["tickTypes"] as? [Any], let first = types.first as? String,
                  types.allSatisfy({ ($0 as? String).map(Self.tickTypes.contains) ?? false })
            else { return Self.invalidFilter }
            channel = .ticker
            tickType = first
        case "transaction":
            channel = .trade
        case "orderbookdepth", "orderbooksnapshot":
            channel = nil  // real filters, not simulated: acknowledged, send nothing
        default:
            return Self.invalidFilter
        }
        var subscriptions: [Subscription] = []
        for item in symbols {
            guard let code = item as? String, let symbol = Self.symbol(code) else { return Self.invalidFilter }
            if let channel {
                subscriptions.append(Subscription(channel: channel, symbol: symbol, code: code, name: tickType))
            }
        }
        return .subscribing(true, subscriptions, replies: [ByteBuffer(string: #"{"status":"0000","resmsg":"Filter Registered Successfully"}"#)])
    }

    /// `BTC_KRW` → BTC-KRW.
    static func symbol(_ code: String) -> Symbol? {
        let parts = code.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let base = ClientMessage.asset(String(parts[0])), base == parts[0],
              let quote = ClientMessage.asset(String(parts[1])), quote == parts[1]
        else { return nil }
        return Symbol(base: base, quote: quote)
    }

    /// The legacy API's book types are acknowledged but not simulated: no book streams exist here.
    func writeBook(_ subscription: Subscription, _ frame: BookFrame, into buffer: inout ByteBuffer) -> Bool {
        false
    }

    func writeTicker(_ subscription: Subscription, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        let trade = market.lastTrade
        let digits = market.priceDigits
        let time = CivilTime(epochMilliseconds: now, offsetHours: CivilTime.koreaOffsetHours)
        let buyShare = 0.5 + 0.1 * market.changeRate.magnitude.squareRoot()
        buffer.writeStaticString("{\"type\":\"ticker\",\"content\":{\"symbol\":\"")
        buffer.writeString(subscription.code)
        buffer.writeStaticString("\",\"tickType\":")
        buffer.writeJSONString(subscription.name)
        buffer.writeStaticString(",\"date\":\"")
        buffer.writeCompactDate(time)
        buffer.writeStaticString("\",\"time\":\"")
        buffer.writeCompactTime(time)
        buffer.writeStaticString("\",\"openPrice\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: digits)
        buffer.writeStaticString(",\"closePrice\":")
        buffer.writeQuotedDecimal(trade.price, fractionDigits: digits)
        buffer.writeStaticString(",\"lowPrice\":")
        buffer.writeQuotedDecimal(market.low, fractionDigits: digits)
        buffer.writeStaticString(",\"highPrice\":")
        buffer.writeQuotedDecimal(market.high, fractionDigits: digits)
        buffer.writeStaticString(",\"value\":")
        Self.writeLongDecimal(market.quoteVolume, noise: market.noiseDigits, into: &buffer)
        buffer.writeStaticString(",\"volume\":")
        Self.writeLongDecimal(market.baseVolume, noise: market.noiseDigits, into: &buffer)
        buffer.writeStaticString(",\"sellVolume\":")
        Self.writeLongDecimal(market.baseVolume * (1 - buyShare), noise: market.noiseDigits / 3, into: &buffer)
        buffer.writeStaticString(",\"buyVolume\":")
        Self.writeLongDecimal(market.baseVolume * buyShare, noise: market.noiseDigits / 7, into: &buffer)
        buffer.writeStaticString(",\"prevClosePrice\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: digits)
        buffer.writeStaticString(",\"chgRate\":")
        buffer.writeQuotedDecimal(market.changeRate * 100, fractionDigits: 2)
        buffer.writeStaticString(",\"chgAmt\":")
        buffer.writeQuotedDecimal(market.change, fractionDigits: digits)
        buffer.writeStaticString(",\"volumePower\":")
        buffer.writeQuotedDecimal(buyShare / (1 - buyShare) * 100, fractionDigits: 2)
        buffer.writeStaticString("}}")
    }

    func writeTrade(_ subscription: Subscription, trade: SimulatedTrade, market: MarketState, snapshot: Bool, now: Int64, into buffer: inout ByteBuffer) {
        let digits = market.priceDigits
        let time = CivilTime(epochMilliseconds: trade.time, offsetHours: CivilTime.koreaOffsetHours)
        buffer.writeStaticString("{\"type\":\"transaction\",\"content\":{\"list\":[{\"symbol\":\"")
        buffer.writeString(subscription.code)
        // `buySellGb`: documented as 1 = sell fill, 2 = buy fill.
        buffer.writeStaticString(trade.takerBought ? "\",\"buySellGb\":\"2\",\"contPrice\":" : "\",\"buySellGb\":\"1\",\"contPrice\":")
        buffer.writeQuotedDecimal(trade.price, fractionDigits: digits)
        buffer.writeStaticString(",\"contQty\":")
        buffer.writeQuotedDecimal(trade.quantity, fractionDigits: market.quantityDigits)
        buffer.writeStaticString(",\"contAmt\":")
        buffer.writeQuotedDecimal(trade.price * trade.quantity, fractionDigits: 4)
        buffer.writeStaticString(",\"contDtm\":\"")
        buffer.writeDateTimeWithMicroseconds(time, extraMicroseconds: Int(trade.number % 1_000))
        // `updn`: against the previous trade; the walk stepped up exactly when the taker bought.
        buffer.writeStaticString(trade.takerBought ? "\",\"updn\":\"up\"}]}}" : "\",\"updn\":\"dn\"}]}}")
    }

    func errorFrame(_ session: SessionInfo) -> ByteBuffer {
        Self.invalidFilter.replies[0]
    }

    func wrongTypeFrame() -> ByteBuffer {
        ByteBuffer(string: #"{"type":"ticker","content":{"symbol":["BTC_KRW"],"tickType":24,"closePrice":{"v":"1"},"volume":true,"date":20210811}}"#)
    }

    func keepalive(_ settings: SimulatorConfiguration.Keepalive) -> KeepalivePolicy {
        .none
    }

    /// `GET /public/ticker/BTC_KRW` body.
    static func writeRESTTicker(market: MarketState, now: Int64, into buffer: inout ByteBuffer) {
        let digits = market.priceDigits
        buffer.writeStaticString("{\"status\":\"0000\",\"data\":{\"opening_price\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: digits)
        buffer.writeStaticString(",\"closing_price\":")
        buffer.writeQuotedDecimal(market.price, fractionDigits: digits)
        buffer.writeStaticString(",\"min_price\":")
        buffer.writeQuotedDecimal(market.low, fractionDigits: digits)
        buffer.writeStaticString(",\"max_price\":")
        buffer.writeQuotedDecimal(market.high, fractionDigits: digits)
        writeTraded(market, units: ",\"units_traded\":", value: ",\"acc_trade_value\":", into: &buffer)
        buffer.writeStaticString(",\"prev_closing_price\":")
        buffer.writeQuotedDecimal(market.open, fractionDigits: digits)
        writeTraded(market, units: ",\"units_traded_24H\":", value: ",\"acc_trade_value_24H\":", into: &buffer)
        buffer.writeStaticString(",\"fluctate_24H\":")
        buffer.writeQuotedDecimal(market.change, fractionDigits: digits)
        buffer.writeStaticString(",\"fluctate_rate_24H\":")
        buffer.writeQuotedDecimal(market.changeRate * 100, fractionDigits: 2)
        buffer.writeStaticString(",\"date\":\"")
        buffer.writeDecimalInteger(now)
        buffer.writeStaticString("\"}}")
    }

    /// The base volume under `units` and the quote volume under `value`, as long decimals. The
    /// REST ticker sends them twice, since midnight and over 24 hours; the simulator's day is
    /// its 24 hours, so both pairs carry the same values.
    private static func writeTraded(_ market: MarketState, units: StaticString, value: StaticString, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(units)
        writeLongDecimal(market.baseVolume, noise: market.noiseDigits, into: &buffer)
        buffer.writeStaticString(value)
        writeLongDecimal(market.quoteVolume, noise: market.noiseDigits, into: &buffer)
    }

    /// A quoted decimal with ~29 significant digits, as Bithumb legacy sends volumes: nine
    /// rounded fraction digits, then sixteen digits of `noise`.
    static func writeLongDecimal(_ value: Double, noise: UInt64, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        buffer.writeDecimal(value, fractionDigits: 9)
        buffer.writeDecimalDigits(noise % 10_000_000_000_000_000, minimumDigits: 16)
        buffer.writeStaticString("\"")
    }

    private static let invalidFilter = RequestOutcome(replies: [ByteBuffer(string: #"{"status":"5100","resmsg":"Invalid Filter Syntax"}"#)])
}
