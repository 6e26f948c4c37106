import NIOCore

/// Bybit's `orderbook.{depth}.{symbol}` stream: a snapshot of the best `depth` levels first, then
/// deltas of the changes within them (a level leaving the top is sent with size "0"); depth 1 sends
/// snapshots only. `u` is one more per book tick that changed, `seq` grows with every change.
extension BybitProtocol {
    func writeBook(_ subscription: Subscription, _ frame: BookFrame, into buffer: inout ByteBuffer) -> Bool {
        let depth = subscription.depth
        let levels: (bids: [SimulatedBook.Level], asks: [SimulatedBook.Level], snapshot: Bool)
        if depth > 1, let changes = frame.changes(depth) {
            guard !changes.bids.isEmpty || !changes.asks.isEmpty else { return false }
            levels = (changes.bids, changes.asks, false)
        } else {
            guard frame.topChanged(depth) || frame.crossed else { return false }
            let top = frame.top(depth)
            levels = (Array(top.bids), Array(top.asks), true)
        }
        let (bids, asks, snapshot) = levels
        let book = frame.book
        buffer.writeStaticString("{\"topic\":")
        buffer.writeJSONString(subscription.name)
        buffer.writeStaticString(",\"ts\":")
        buffer.writeDecimalInteger(book.time)
        buffer.writeStaticString(snapshot ? ",\"type\":\"snapshot\",\"data\":{\"s\":\"" : ",\"type\":\"delta\",\"data\":{\"s\":\"")
        buffer.writeString(subscription.code)
        buffer.writeStaticString("\",\"b\":")
        buffer.writeLevelPairs(bids, model: frame.model, priceDigits: frame.model.priceDigits, sizeDigits: frame.model.sizeDigits)
        buffer.writeStaticString(",\"a\":")
        buffer.writeLevelPairs(asks, model: frame.model, priceDigits: frame.model.priceDigits, sizeDigits: frame.model.sizeDigits)
        buffer.writeStaticString(",\"u\":")
        buffer.writeDecimalInteger(book.updateID)
        buffer.writeStaticString(",\"seq\":")
        buffer.writeDecimalInteger(book.sequence)
        buffer.writeStaticString("},\"cts\":")
        buffer.writeDecimalInteger(book.time)
        buffer.writeStaticString("}")
        return true
    }
}
