import CoinfluxCore
import NIOCore

/// How one exchange numbers its trades and prints their prices and sizes; the WebSocket frames,
/// the REST trade lists and the admin trade log all print a trade this way.
struct TradeStyle: Sendable {
    /// How consecutive trades of one market are numbered.
    enum Numbering: Sendable, Equatable {
        /// One more per trade (Binance `t`).
        case consecutive
        /// At least the trade time in ms times `scale` and more than the previous id: unique and
        /// increasing with time, not consecutive (Upbit and Bithumb `sequential_id`, Coinone `id`).
        case timeScaled(Int64)
        /// Increasing by one to three per trade of the market: unique, not consecutive (Bybit `i`).
        case sparse
    }

    let numbering: Numbering
    /// The id is a JSON string in the exchange's trade frames.
    let idIsString: Bool
    /// Prices and sizes are JSON strings (false: JSON numbers with trailing zeros, as Upbit's).
    let numbersQuoted: Bool
    /// Digits after the point of prices; nil: the market's tick size decides.
    private let fixedPriceDigits: Int?
    /// Prices show at least this many digits (Coinone writes `"3833000.0"`).
    private let minimumPriceDigits: Int
    /// Digits after the point of sizes; nil: the market's lot size decides.
    private let fixedQuantityDigits: Int?

    static func of(_ exchange: Exchange) -> TradeStyle {
        switch exchange {
        case .binance:
            TradeStyle(numbering: .consecutive, idIsString: false, numbersQuoted: true, fixedPriceDigits: 8, minimumPriceDigits: 0, fixedQuantityDigits: 8)
        case .upbit:
            TradeStyle(numbering: .timeScaled(10_000), idIsString: false, numbersQuoted: false, fixedPriceDigits: 8, minimumPriceDigits: 0, fixedQuantityDigits: 8)
        case .bithumb:
            TradeStyle(numbering: .timeScaled(10_000), idIsString: true, numbersQuoted: false, fixedPriceDigits: 8, minimumPriceDigits: 0, fixedQuantityDigits: 8)
        case .bybit:
            TradeStyle(numbering: .sparse, idIsString: true, numbersQuoted: true, fixedPriceDigits: nil, minimumPriceDigits: 0, fixedQuantityDigits: nil)
        case .coinone:
            TradeStyle(numbering: .timeScaled(1_000), idIsString: true, numbersQuoted: true, fixedPriceDigits: nil, minimumPriceDigits: 1, fixedQuantityDigits: 8)
        }
    }

    func priceDigits(_ market: MarketState) -> Int {
        max(minimumPriceDigits, fixedPriceDigits ?? market.priceDigits)
    }

    func quantityDigits(_ market: MarketState) -> Int {
        fixedQuantityDigits ?? market.quantityDigits
    }

    /// Writes `trade`'s price as the exchange does.
    func writePrice(_ trade: SimulatedTrade, market: MarketState, into buffer: inout ByteBuffer) {
        write(trade.price, digits: priceDigits(market), into: &buffer)
    }

    /// Writes `trade`'s size as the exchange does.
    func writeQuantity(_ trade: SimulatedTrade, market: MarketState, into buffer: inout ByteBuffer) {
        write(trade.quantity, digits: quantityDigits(market), into: &buffer)
    }

    /// Writes `trade`'s id, quoted when `quoted`.
    func writeID(_ trade: SimulatedTrade, quoted: Bool, into buffer: inout ByteBuffer) {
        if quoted { buffer.writeStaticString("\"") }
        buffer.writeDecimalInteger(trade.id)
        if quoted { buffer.writeStaticString("\"") }
    }

    private func write(_ value: Double, digits: Int, into buffer: inout ByteBuffer) {
        if numbersQuoted {
            buffer.writeQuotedDecimal(value, fractionDigits: digits)
        } else {
            buffer.writeDecimal(value, fractionDigits: digits)
        }
    }

    /// `trade`'s price, size and id as text, the way the exchange prints them (without quotes).
    func text(of trade: SimulatedTrade, market: MarketState) -> (id: String, price: String, size: String) {
        var price = ByteBuffer(), size = ByteBuffer()
        price.writeDecimal(trade.price, fractionDigits: priceDigits(market))
        size.writeDecimal(trade.quantity, fractionDigits: quantityDigits(market))
        return (String(trade.id), String(buffer: price), String(buffer: size))
    }
}
