import NIOCore

/// Coinone's `ORDERBOOK` channel: the latest book once on subscribing, then the full best 15
/// levels a side whenever they change; asks and bids both in descending price order, as in
/// Coinone's example; `id` a string that grows with time.
extension CoinoneProtocol {
    /// Levels a side of each book frame.
    static let bookDepth = 15

    func writeBook(_ subscription: Subscription, _ frame: BookFrame, into buffer: inout ByteBuffer) -> Bool {
        guard frame.topChanged(Self.bookDepth) || frame.crossed else { return false }
        let top = frame.top(Self.bookDepth)
        let model = frame.model
        let priceDigits = max(1, model.priceDigits)
        func write<Levels: Collection<SimulatedBook.Level>>(_ levels: Levels) {
            buffer.writeStaticString("[")
            for (position, level) in levels.enumerated() {
                buffer.writeStaticString(position == 0 ? "{\"price\":" : ",{\"price\":")
                buffer.writeQuotedDecimal(model.price(level.index), fractionDigits: priceDigits)
                buffer.writeStaticString(",\"qty\":")
                buffer.writeQuotedDecimal(model.size(level.lots), fractionDigits: model.sizeDigits)
                buffer.writeStaticString("}")
            }
            buffer.writeStaticString("]")
        }
        buffer.writeStaticString("{\"response_type\":\"DATA\",\"channel\":\"ORDERBOOK\",\"data\":{\"quote_currency\":\"")
        buffer.writeString(subscription.symbol.quote)
        buffer.writeStaticString("\",\"target_currency\":\"")
        buffer.writeString(subscription.symbol.base)
        buffer.writeStaticString("\",\"timestamp\":")
        buffer.writeDecimalInteger(frame.book.time)
        buffer.writeStaticString(",\"id\":\"")
        buffer.writeDecimalInteger(frame.book.coinoneID(booksPerSecond: frame.booksPerSecond))
        buffer.writeStaticString("\",\"asks\":")
        write(top.asks.reversed())
        buffer.writeStaticString(",\"bids\":")
        write(top.bids)
        buffer.writeStaticString("}}")
        return true
    }
}
