import CoinfluxCore

/// One trade of a market's log, as ``ExchangeSimulator/trades(of:on:since:until:)`` and
/// `GET /admin/<exchange>/trades` report it: what a connected client received for it.
public struct LoggedTrade: Sendable, Equatable {
    /// Which side took liquidity.
    public enum Side: String, Sendable {
        case buy
        case sell
    }

    /// Position in the market's history, from 0; consecutive for every exchange.
    public var number: Int64
    /// The trade id with the digits the exchange sends (Binance `t`, Upbit and Bithumb
    /// `sequential_id`, Bybit `i`, Coinone `id`); Bithumb legacy frames carry none.
    public var id: String
    /// Price with the digits the exchange sends.
    public var price: String
    /// Size with the digits the exchange sends.
    public var size: String
    /// Trade time, epoch ms.
    public var time: Int64
    /// The taker's side.
    public var side: Side

    init(_ trade: SimulatedTrade, style: TradeStyle, market: MarketState) {
        let text = style.text(of: trade, market: market)
        number = trade.number
        id = text.id
        price = text.price
        size = text.size
        time = trade.time
        side = trade.takerBought ? .buy : .sell
    }
}

extension Market {
    /// The logged trades with `since ≤ time ≤ until` (epoch ms), oldest first.
    func loggedTrades(since: Int64, until: Int64, at nowMicros: Int64) -> [LoggedTrade] {
        let (trades, state) = inspect(at: nowMicros) { log, state in
            let first = log.firstNumber { $0.time >= since }
            let end = log.firstNumber { $0.time > until }
            return (log.trades(from: first, limit: Int(max(0, end - first))), state)
        }
        return trades.map { LoggedTrade($0, style: style, market: state) }
    }
}
