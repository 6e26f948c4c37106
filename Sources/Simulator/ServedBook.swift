import CoinfluxCore
import NIOCore

/// One order book the simulator served at one book tick, as ``ExchangeSimulator/book(of:on:tick:)``
/// and `GET /admin/<exchange>/book` report it: the levels every book stream and REST derived
/// their frames from, and the ids those frames carried.
public struct ServedBook: Sendable, Equatable {
    /// One price level; prices and sizes as decimal text with the market's grid and lot digits.
    public struct Level: Sendable, Equatable {
        public var price: String
        public var size: String
    }

    /// Book tick: the book of tick k is the market's at k / ``SimulatorConfiguration/booksPerSecond`` s of epoch time.
    public var tick: Int64
    /// Epoch ms of the tick (the frames' event time).
    public var time: Int64
    /// All 50 levels a side: bids best (highest) first, asks best (lowest) first.
    public var bids: [Level]
    public var asks: [Level]
    /// Binance `U` and `u` of this tick's changes (`U` = `u` + 1 when nothing changed); `u` is
    /// also `lastUpdateId` of `GET /api/v3/depth` at this tick.
    public var firstUpdateID: Int64
    public var lastUpdateID: Int64
    /// Bybit `u` and `seq`.
    public var updateID: Int64
    public var sequence: Int64
    /// Coinone `id`.
    public var coinoneID: String
    /// Whether the book differs from the previous tick's.
    public var changed: Bool

    init(_ book: SimulatedBook, model: BookModel, booksPerSecond: Double) {
        func levels(_ side: [SimulatedBook.Level]) -> [Level] {
            side.map { level in
                var price = ByteBuffer()
                price.writeDecimal(model.price(level.index), fractionDigits: model.priceDigits)
                var size = ByteBuffer()
                size.writeDecimal(model.size(level.lots), fractionDigits: model.sizeDigits)
                return Level(price: String(buffer: price), size: String(buffer: size))
            }
        }
        tick = book.tick
        time = book.time
        bids = levels(book.bids)
        asks = levels(book.asks)
        firstUpdateID = book.firstUpdateID
        lastUpdateID = book.lastUpdateID
        updateID = book.updateID
        sequence = book.sequence
        coinoneID = String(book.coinoneID(booksPerSecond: booksPerSecond))
        changed = book.changed
    }

    /// The admin route's JSON: `{"exchange","symbol","tick","time_ms","first_update_id",
    /// "last_update_id","update_id","seq","coinone_id","changed","bids":[["p","q"],…],"asks":[…]}`.
    func write(exchange: Exchange, symbol: Symbol, into buffer: inout ByteBuffer) {
        func side(_ levels: [Level]) {
            RESTRoutes.writeArray(levels, into: &buffer) { level, buffer in
                buffer.writeStaticString("[")
                buffer.writeJSONString(level.price)
                buffer.writeStaticString(",")
                buffer.writeJSONString(level.size)
                buffer.writeStaticString("]")
            }
        }
        buffer.writeStaticString("{\"exchange\":")
        buffer.writeJSONString(exchange.rawValue)
        buffer.writeStaticString(",\"symbol\":")
        buffer.writeJSONString(symbol.description)
        buffer.writeStaticString(",\"tick\":")
        buffer.writeDecimalInteger(tick)
        buffer.writeStaticString(",\"time_ms\":")
        buffer.writeDecimalInteger(time)
        buffer.writeStaticString(",\"first_update_id\":")
        buffer.writeDecimalInteger(firstUpdateID)
        buffer.writeStaticString(",\"last_update_id\":")
        buffer.writeDecimalInteger(lastUpdateID)
        buffer.writeStaticString(",\"update_id\":")
        buffer.writeDecimalInteger(updateID)
        buffer.writeStaticString(",\"seq\":")
        buffer.writeDecimalInteger(sequence)
        buffer.writeStaticString(",\"coinone_id\":")
        buffer.writeJSONString(coinoneID)
        buffer.writeStaticString(changed ? ",\"changed\":true,\"bids\":" : ",\"changed\":false,\"bids\":")
        side(bids)
        buffer.writeStaticString(",\"asks\":")
        side(asks)
        buffer.writeStaticString("}")
    }
}

extension Market {
    /// The served book of `tick` (nil: the current tick at `nowMicros`); nil when books are off or
    /// the tick is older than the recent ones or later than now.
    func servedBook(tick: Int64?, at nowMicros: Int64) -> ServedBook? {
        let current = bookTick(at: nowMicros)
        let wanted = tick ?? current
        guard wanted <= current, let book = book(tick: wanted, at: nowMicros) else { return nil }
        return ServedBook(book, model: bookModel, booksPerSecond: booksPerSecond)
    }
}
