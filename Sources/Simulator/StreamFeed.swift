import CoinfluxCore
import NIOCore

/// One connection's view of the markets it subscribes to: a cursor per trade stream into the
/// market's trades (so it receives every trade, in order, from the moment it subscribed) and the
/// ticker ticks of each ticker stream: every 1 / ``SimulatorConfiguration/tickersPerSecond``
/// seconds of epoch time, the same ticks and the same frames for every connection (as an
/// exchange broadcasts one ticker update to all), each reporting the market's state at that tick.
/// Book streams follow the markets' book ticks (``SimulatorConfiguration/booksPerSecond``) the same
/// way, each frame reporting the change since the book the stream sent last.
struct StreamFeed {
    let handler: any ExchangeProtocol
    let markets: MarketBook
    let tickersPerSecond: Double
    let booksPerSecond: Double
    private var streams: [Stream] = []
    private var version = -1
    private var malformedIndex = 0
    /// Markets whose next book message is skipped (`bookGap`) or sent crossed (`crossedBook`).
    private var bookGaps: Set<Symbol> = []
    private var crossedBooks: Set<Symbol> = []

    /// What one pass produced besides frames.
    struct PassCounts {
        var trades = 0
        var tickers = 0
        var dropped = 0
        var withheld = 0
        var books = 0
        var booksSkipped = 0
        var crossedBooks = 0
    }

    private struct Stream {
        let subscription: Subscription
        /// Resolved once the symbol is listed; markets are never removed.
        var market: Market?
        /// Next trade number to send (trade streams), set when the market is first seen.
        var cursor: Int64?
        /// The next ticker tick to send (tick k is at k / tickersPerSecond seconds of epoch time),
        /// set when the market is first seen; the next book tick on book streams.
        var nextTick: Int64?
        /// Book streams: the book last sent (or skipped by a `bookGap`).
        var lastBook: SimulatedBook?
    }

    /// Tickers at most sent on one stream in one pass: a quarter second's worth, at least 8, so a
    /// send loop delayed by a busy machine catches up; after a longer stall the schedule skips
    /// ahead rather than bursting.
    var maxTickersPerPass: Int {
        max(8, Int(tickersPerSecond / 4))
    }

    /// Book ticks at most sent on one stream in one pass, like ``maxTickersPerPass`` but within the
    /// markets' book history; after a longer stall the stream sends the change over the whole stall.
    var maxBooksPerPass: Int {
        min(max(8, Int(booksPerSecond / 4)), BookHistory.capacity / 2)
    }

    init(handler: any ExchangeProtocol, markets: MarketBook, tickersPerSecond: Double, booksPerSecond: Double) {
        self.handler = handler
        self.markets = markets
        self.tickersPerSecond = tickersPerSecond
        self.booksPerSecond = booksPerSecond
    }

    /// Adds book faults: the next book message of each market in `gaps` is skipped, of each in
    /// `crossed` sent crossed.
    mutating func addBookFaults(gaps: Set<Symbol>, crossed: Set<Symbol>) {
        bookGaps.formUnion(gaps)
        crossedBooks.formUnion(crossed)
    }

    /// Follows a change of the connection's subscriptions: streams kept keep their cursors.
    mutating func update(_ subscriptions: [Subscription], version: Int, now: ContinuousClock.Instant) {
        guard version != self.version else { return }
        self.version = version
        var previous: [Subscription: Stream] = [:]
        for stream in streams {
            previous[stream.subscription] = stream
        }
        streams = subscriptions.map { previous[$0] ?? Stream(subscription: $0, market: nil, cursor: nil, nextTick: nil) }
    }

    /// The frames due at `now`: every new trade of each trade stream (at most `budget` frames in
    /// all; the rest follow in later passes) and the tickers due. While `silenced`, nothing is
    /// produced and the streams skip what happens meanwhile; trades before `withholdBefore`
    /// (epoch ms, the end of the latest silence) are never sent.
    mutating func frames(now: ContinuousClock.Instant, epochMicros: Int64, silenced: Bool, withholdBefore: Int64, budget: Int, counts: inout PassCounts) -> [ByteBuffer] {
        let nowMilliseconds = epochMicros / 1_000
        let tradeStreams = streams.reduce(0) { $0 + ($1.subscription.channel == .trade ? 1 : 0) }
        let perStream = max(16, budget / max(1, tradeStreams))
        var frames: [ByteBuffer] = []
        for index in streams.indices {
            guard let market = resolve(index) else {
                // Not listed (yet, or any more): the ticks start when it is.
                streams[index].nextTick = nil
                continue
            }
            switch streams[index].subscription.channel {
            case .trade:
                guard let cursor = streams[index].cursor else {
                    streams[index].cursor = market.head(at: epochMicros)
                    continue
                }
                guard !silenced else {
                    let head = market.head(at: epochMicros)
                    streams[index].cursor = head
                    counts.withheld += Int(head - cursor)
                    continue
                }
                let read = market.read(from: cursor, at: epochMicros, limit: perStream)
                streams[index].cursor = read.next
                counts.dropped += Int(read.dropped)
                let sendable = read.trades.drop { $0.time < withholdBefore }
                counts.withheld += read.trades.count - sendable.count
                guard !sendable.isEmpty else { continue }
                let state = market.state(at: epochMicros)
                for trade in sendable {
                    var buffer = ByteBuffer.withFrameHeadroom()
                    handler.writeTrade(streams[index].subscription, trade: trade, market: state, snapshot: false, now: nowMilliseconds, into: &buffer)
                    frames.append(buffer)
                }
                counts.trades += sendable.count
            case .ticker:
                guard tickersPerSecond > 0 else { continue }
                let currentTick = Int64((Double(epochMicros) / 1e6 * tickersPerSecond).rounded(.down))
                guard let next = streams[index].nextTick else {
                    // The first tick at once (exchanges answer a subscription with the current state).
                    streams[index].nextTick = currentTick
                    continue
                }
                guard currentTick >= next else { continue }
                streams[index].nextTick = currentTick + 1
                guard !silenced else { continue }
                // After a stall longer than a pass's worth, skip ahead rather than burst.
                for tick in max(next, currentTick - Int64(maxTickersPerPass) + 1)...currentTick {
                    let tickMilliseconds = Int64((Double(tick) / tickersPerSecond * 1_000).rounded(.down))
                    let state = market.tickerState(tick: tick, at: epochMicros)
                    var buffer = ByteBuffer.withFrameHeadroom()
                    handler.writeTicker(streams[index].subscription, market: state, snapshot: false, now: tickMilliseconds, into: &buffer)
                    frames.append(buffer)
                    counts.tickers += 1
                }
            case .book:
                frames += books(index, market: market, epochMicros: epochMicros, silenced: silenced, counts: &counts)
            }
        }
        return frames
    }

    /// The book frames due on book stream `index`: one per book tick since the last pass whose
    /// change the stream carries (once a second for Binance `@depth`), the faults applied.
    private mutating func books(_ index: Int, market: Market, epochMicros: Int64, silenced: Bool, counts: inout PassCounts) -> [ByteBuffer] {
        guard booksPerSecond > 0 else { return [] }
        let currentTick = market.bookTick(at: epochMicros)
        guard let next = streams[index].nextTick else {
            // The first tick at once, as the ticker streams.
            streams[index].nextTick = currentTick
            return []
        }
        guard currentTick >= next, !silenced else { return [] }
        streams[index].nextTick = currentTick + 1
        let subscription = streams[index].subscription
        let perSecond = max(1, Int64(booksPerSecond.rounded()))
        var frames: [ByteBuffer] = []
        for tick in (currentTick - next >= Int64(maxBooksPerPass) ? currentTick : next)...currentTick {
            if subscription.onceASecond, streams[index].lastBook != nil, tick.modulo(perSecond) != 0 { continue }
            guard let book = market.book(tick: tick, at: epochMicros) else { continue }
            let crossed = crossedBooks.contains(subscription.symbol)
            let frame = BookFrame(
                book: book, previous: streams[index].lastBook, model: market.bookModel, snapshot: false, crossed: crossed,
                booksPerSecond: booksPerSecond
            )
            var buffer = ByteBuffer.withFrameHeadroom(capacity: 2_048)
            let written = handler.writeBook(subscription, frame, into: &buffer)
            streams[index].lastBook = book
            guard written else { continue }
            if bookGaps.remove(subscription.symbol) != nil {
                counts.booksSkipped += 1
                continue
            }
            if crossed {
                crossedBooks.remove(subscription.symbol)
                counts.crossedBooks += 1
            }
            frames.append(buffer)
            counts.books += 1
        }
        return frames
    }

    /// One snapshot frame per subscription (Upbit-compatible APIs): the market's state for a
    /// ticker, its last trade for a trade stream, its current book for a book stream. Nothing for
    /// markets not listed.
    func snapshots(_ subscriptions: [Subscription], epochMicros: Int64) -> [ByteBuffer] {
        subscriptions.compactMap { subscription in
            guard let market = markets.listed(handler.exchange, subscription.symbol) else { return nil }
            let state = market.state(at: epochMicros)
            var buffer = ByteBuffer.withFrameHeadroom()
            switch subscription.channel {
            case .ticker:
                handler.writeTicker(subscription, market: state, snapshot: true, now: epochMicros / 1_000, into: &buffer)
            case .trade:
                guard state.lastTrade.number >= 0 else { return nil }
                handler.writeTrade(subscription, trade: state.lastTrade, market: state, snapshot: true, now: epochMicros / 1_000, into: &buffer)
            case .book:
                guard let book = market.book(tick: market.bookTick(at: epochMicros), at: epochMicros) else { return nil }
                let frame = BookFrame(
                    book: book, previous: nil, model: market.bookModel, snapshot: true, crossed: false, booksPerSecond: booksPerSecond
                )
                guard handler.writeBook(subscription, frame, into: &buffer) else { return nil }
            }
            return buffer
        }
    }

    /// The next broken frame, cycling through truncated JSON, wrongly typed values, an empty
    /// frame and a body that is not JSON at all. Broken frames come in addition to the data:
    /// no trade is replaced or lost.
    mutating func malformedFrame(epochMicros: Int64) -> ByteBuffer {
        defer { malformedIndex = (malformedIndex + 1) % 4 }
        switch malformedIndex {
        case 0:
            guard var whole = streams.first.flatMap({ snapshots([$0.subscription], epochMicros: epochMicros).first }) else {
                return handler.wrongTypeFrame()
            }
            return whole.readSlice(length: whole.readableBytes / 2) ?? ByteBuffer()
        case 1:
            return handler.wrongTypeFrame()
        case 2:
            return ByteBuffer()
        default:
            return ByteBuffer(string: "<html><body>502 Bad Gateway</body></html>")
        }
    }

    /// The stream's market if it is listed now, looked up once it exists.
    private mutating func resolve(_ index: Int) -> Market? {
        if streams[index].market == nil {
            streams[index].market = markets.market(handler.exchange, streams[index].subscription.symbol)
        }
        guard let market = streams[index].market, market.isListed else { return nil }
        return market
    }
}

extension ByteBuffer {
    /// Room NIO's WebSocket encoder uses to put the frame header in front of the payload
    /// instead of writing a separate buffer (at most 14 bytes: 2 + 8 length + 4 mask).
    static let frameHeaderHeadroom = 14

    /// An empty buffer with headroom for the WebSocket frame header and room for one frame.
    static func withFrameHeadroom(capacity: Int = 512) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: capacity + frameHeaderHeadroom)
        buffer.moveWriterIndex(forwardBy: frameHeaderHeadroom)
        buffer.moveReaderIndex(forwardBy: frameHeaderHeadroom)
        return buffer
    }
}
