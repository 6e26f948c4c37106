import CoinfluxCore
import NIOConcurrencyHelpers

/// One exchange's market for one symbol, shared by every connection and HTTP route: its state,
/// its trade log and whether it is listed. It trades on the simulator's clock: whoever looks at
/// it at time t first makes every trade due by t, so a market nobody watches costs nothing until
/// someone does, and its trades are the same as if it had been watched throughout.
final class Market: Sendable {
    let exchange: Exchange
    let symbol: Symbol
    let style: TradeStyle
    /// Order-book ticks per second (``SimulatorConfiguration/booksPerSecond``); 0: no books.
    let booksPerSecond: Double
    /// The market's book model (grid and lot), to print a book's levels.
    let bookModel: BookModel
    private let book: NIOLockedValueBox<Book>

    private struct Book {
        var state: MarketState
        var log: TradeLog
        var listed: Bool
        /// The latest ticker tick asked for and the state it reports, the same to every connection.
        var tickerTick: Int64 = .min
        var tickerState: MarketState?
        /// The recent order books, the same to every connection and to REST.
        var books: BookHistory
    }

    /// What one stream read from the market.
    struct Read {
        var trades: [SimulatedTrade]
        /// Number of the next trade to read.
        var next: Int64
        /// Trades passed over because the reader fell more than ``SimulatorConfiguration/maxBacklog`` behind.
        var dropped: Int64
    }

    init(
        exchange: Exchange, symbol: Symbol, seed: UInt64, startMicros: Int64, tradesPerSecond: Double, booksPerSecond: Double,
        logCapacity: Int, volumeRank: Int
    ) {
        self.exchange = exchange
        self.symbol = symbol
        self.booksPerSecond = booksPerSecond
        style = TradeStyle.of(exchange)
        let state = MarketState(
            symbol: symbol, seed: seed, startMicros: startMicros, tradesPerSecond: tradesPerSecond,
            numbering: style.numbering, volumeRank: volumeRank
        )
        bookModel = BookModel(state: state, seed: SplitMix64.derive(seed: seed, "book"))
        book = NIOLockedValueBox(Book(state: state, log: TradeLog(capacity: logCapacity), listed: true, books: BookHistory(model: bookModel)))
    }

    var isListed: Bool {
        book.withLockedValue { $0.listed }
    }

    /// Lists or delists the market at `nowMicros`; false when it already was. A delisted market
    /// stops trading; listed again, it resumes from that moment.
    func setListed(_ listed: Bool, at nowMicros: Int64) -> Bool {
        book.withLockedValue { book in
            guard book.listed != listed else { return false }
            if listed {
                book.state.resumeTrading(at: nowMicros)
            } else {
                Self.advance(&book, to: nowMicros)
            }
            book.listed = listed
            return true
        }
    }

    /// The market's state at `nowMicros`.
    func state(at nowMicros: Int64) -> MarketState {
        book.withLockedValue { book in
            Self.advance(&book, to: nowMicros)
            return book.state
        }
    }

    /// The state the ticker frame of `tick` reports: taken when a connection first asks for that
    /// tick and then the same for every connection, as an exchange broadcasts one ticker update to
    /// all its subscribers. A tick older than the latest asked for reports the state at `nowMicros`.
    func tickerState(tick: Int64, at nowMicros: Int64) -> MarketState {
        book.withLockedValue { book in
            if tick == book.tickerTick, let state = book.tickerState { return state }
            Self.advance(&book, to: nowMicros)
            if tick > book.tickerTick {
                book.tickerTick = tick
                book.tickerState = book.state
            }
            return book.state
        }
    }

    /// The book tick current at `nowMicros` (tick k is at k / ``booksPerSecond`` seconds of epoch time).
    func bookTick(at nowMicros: Int64) -> Int64 {
        Int64((Double(nowMicros) / 1e6 * booksPerSecond).rounded(.down))
    }

    /// The order book of `tick` (at most `nowMicros`'s tick), centred on the market's price at that
    /// tick: made when first asked for and then the same for every connection and REST. Nil when
    /// books are off or the tick is older than the last ``BookHistory/capacity`` made.
    func book(tick: Int64, at nowMicros: Int64) -> SimulatedBook? {
        guard booksPerSecond > 0 else { return nil }
        return book.withLockedValue { book in
            if let latest = book.books.latestTick, tick <= latest { return book.books.book(tick) }
            Self.advance(&book, to: nowMicros)
            let rate = booksPerSecond
            let log = book.log
            let state = book.state
            book.books.advance(to: tick, time: { Int64((Double($0) * 1_000 / rate).rounded(.down)) }) { tick in
                Self.price(at: Int64((Double(tick) * 1_000 / rate).rounded(.down)), log: log, state: state)
            }
            return book.books.book(tick)
        }
    }

    /// The price of the last trade at or before `time` (epoch ms): from the log, else the oldest
    /// logged trade's (the market was fast-forwarded past it), else the state's.
    private static func price(at time: Int64, log: TradeLog, state: MarketState) -> Double {
        let after = log.firstNumber { $0.time > time }
        return log[after - 1]?.price ?? log[after]?.price ?? state.price
    }

    /// Number of the next trade at `nowMicros`: where a new stream starts reading.
    func head(at nowMicros: Int64) -> Int64 {
        book.withLockedValue { book in
            Self.advance(&book, to: nowMicros)
            return book.log.endNumber
        }
    }

    /// Up to `limit` trades from number `cursor` on, at `nowMicros`.
    func read(from cursor: Int64, at nowMicros: Int64, limit: Int) -> Read {
        book.withLockedValue { book in
            Self.advance(&book, to: nowMicros)
            let end = book.log.endNumber
            var from = cursor
            var dropped: Int64 = 0
            if end - from > min(SimulatorConfiguration.maxBacklog, Int64(book.log.capacity)) || from < book.log.startNumber {
                dropped = end - from
                from = end
            }
            let trades = book.log.trades(from: from, limit: limit)
            return Read(trades: trades, next: from + Int64(trades.count), dropped: dropped)
        }
    }

    /// Runs `body` on the log and state at `nowMicros`, under the market's lock: copy out what is
    /// needed and render outside.
    func inspect<Result>(at nowMicros: Int64, _ body: (TradeLog, MarketState) -> Result) -> Result {
        book.withLockedValue { book in
            Self.advance(&book, to: nowMicros)
            return body(book.log, book.state)
        }
    }

    private static func advance(_ book: inout Book, to nowMicros: Int64) {
        guard book.listed, book.state.trades else { return }
        _ = book.state.fastForward(to: nowMicros, keep: book.log.capacity)
        while book.state.nextTradeMicros <= nowMicros {
            book.log.append(book.state.makeTrade())
        }
    }
}
