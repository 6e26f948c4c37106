import NIOCore

/// Upbit's and Bithumb v1's `orderbook` type: every frame the full best N levels (`KRW-BTC.15`:
/// N = 15; Upbit 1, 5, 15 or 30, Bithumb 1 … 30, else 30), JSON numbers, `stream_type`
/// `SNAPSHOT` for the snapshot a request asks for, `REALTIME` for the frames pushed when those
/// levels change. No ids.
extension UpbitProtocol {
    /// Units a book frame carries when the code names none or an unsupported count.
    static let defaultBookUnits = 30

    /// The market code and unit count of `KRW-BTC.15`.
    func bookCode(_ text: String) -> (code: String, units: Int) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let units = Int(parts[1]) else { return (text, Self.defaultBookUnits) }
        let supported = dialect == .upbit ? [1, 5, 15, 30].contains(units) : (1...30).contains(units)
        return (String(parts[0]), supported ? units : Self.defaultBookUnits)
    }

    func writeBook(_ subscription: Subscription, _ frame: BookFrame, into buffer: inout ByteBuffer) -> Bool {
        let units = subscription.depth
        guard frame.snapshot || frame.topChanged(units) || frame.crossed else { return false }
        let top = frame.top(units)
        let model = frame.model
        buffer.writeStaticString("{\"type\":\"orderbook\",\"code\":\"")
        buffer.writeString(subscription.code)
        buffer.writeStaticString("\",\"timestamp\":")
        buffer.writeDecimalInteger(frame.book.time)
        buffer.writeStaticString(",\"total_ask_size\":")
        buffer.writeDecimal(model.size(top.asks.reduce(0) { $0 + $1.lots }), fractionDigits: model.sizeDigits)
        buffer.writeStaticString(",\"total_bid_size\":")
        buffer.writeDecimal(model.size(top.bids.reduce(0) { $0 + $1.lots }), fractionDigits: model.sizeDigits)
        buffer.writeStaticString(",\"orderbook_units\":[")
        for (position, (ask, bid)) in zip(top.asks, top.bids).enumerated() {
            buffer.writeStaticString(position == 0 ? "{\"ask_price\":" : ",{\"ask_price\":")
            buffer.writeDecimal(model.price(ask.index), fractionDigits: model.priceDigits)
            buffer.writeStaticString(",\"bid_price\":")
            buffer.writeDecimal(model.price(bid.index), fractionDigits: model.priceDigits)
            buffer.writeStaticString(",\"ask_size\":")
            buffer.writeDecimal(model.size(ask.lots), fractionDigits: model.sizeDigits)
            buffer.writeStaticString(",\"bid_size\":")
            buffer.writeDecimal(model.size(bid.lots), fractionDigits: model.sizeDigits)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString(frame.snapshot ? "],\"stream_type\":\"SNAPSHOT\"" : "],\"stream_type\":\"REALTIME\"")
        // `level` (price grouping) is not simulated: each API's default.
        buffer.writeStaticString(dialect == .upbit ? ",\"level\":0}" : ",\"level\":1}")
        return true
    }
}
