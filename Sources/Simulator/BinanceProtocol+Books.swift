import NIOCore

/// Binance's diff-depth stream (`<symbol>@depth@100ms` every book tick, `<symbol>@depth` once a
/// second) and its REST snapshot (`GET /api/v3/depth`). Prices and sizes with 8 digits.
extension BinanceProtocol {
    /// Most levels a side `GET /api/v3/depth` returns; the default `limit`.
    static let maxDepthLimit = 5_000
    static let defaultDepthLimit = 100

    /// `{"e":"depthUpdate","E":…,"s":…,"U":…,"u":…,"b":[…],"a":[…]}`: the levels changed since the
    /// stream's previous event, `U` one more than that event's `u`. Nothing on a stream's first
    /// tick (it starts with the next event) or when nothing changed.
    func writeBook(_ subscription: Subscription, _ frame: BookFrame, into buffer: inout ByteBuffer) -> Bool {
        guard let previous = frame.previous, let changes = frame.changes(0), frame.book.lastUpdateID > previous.lastUpdateID else { return false }
        wrapped(subscription, into: &buffer) { buffer in
            buffer.writeStaticString("{\"e\":\"depthUpdate\",\"E\":")
            buffer.writeDecimalInteger(frame.book.time)
            buffer.writeStaticString(",\"s\":\"")
            buffer.writeString(subscription.code)
            buffer.writeStaticString("\",\"U\":")
            buffer.writeDecimalInteger(previous.lastUpdateID + 1)
            buffer.writeStaticString(",\"u\":")
            buffer.writeDecimalInteger(frame.book.lastUpdateID)
            buffer.writeStaticString(",\"b\":")
            buffer.writeLevelPairs(changes.bids, model: frame.model, priceDigits: Self.priceDigits, sizeDigits: Self.priceDigits)
            buffer.writeStaticString(",\"a\":")
            buffer.writeLevelPairs(changes.asks, model: frame.model, priceDigits: Self.priceDigits, sizeDigits: Self.priceDigits)
            buffer.writeStaticString("}")
        }
        return true
    }

    /// `GET /api/v3/depth` body: `{"lastUpdateId":…,"bids":[…],"asks":[…]}`, the best `limit` levels a side.
    static func writeRESTDepth(_ book: SimulatedBook, model: BookModel, limit: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"lastUpdateId\":")
        buffer.writeDecimalInteger(book.lastUpdateID)
        buffer.writeStaticString(",\"bids\":")
        buffer.writeLevelPairs(book.bids.prefix(limit), model: model, priceDigits: priceDigits, sizeDigits: priceDigits)
        buffer.writeStaticString(",\"asks\":")
        buffer.writeLevelPairs(book.asks.prefix(limit), model: model, priceDigits: priceDigits, sizeDigits: priceDigits)
        buffer.writeStaticString("}")
    }
}
