import CoinfluxCore
import Exchanges

/// The order books of one book connection: a ``BookSynchronizer`` per market, what to publish and
/// when, and what the connection must do to get a book back in sync.
///
/// Pure: the ``BookFeed`` hands it every parsed update, REST snapshot and clock tick, and carries
/// out the actions it returns. A book is published only while in sync, at most once per
/// `publishInterval` per market (the latest state; a change held back is published by the next
/// ``flush(now:)``), as a snapshot of the best `depth` levels per side.
struct BookBoard {
    /// Something the connection has to do.
    enum Action: Equatable {
        /// Send this synchronised book (a snapshot of the best levels) to `market.books`.
        case publish(BookUpdate)
        /// Fetch the market's REST snapshot and hand it to ``receiveSnapshot(_:now:)``.
        case requestSnapshot(Symbol)
        /// Unsubscribe and subscribe the market again for a fresh snapshot.
        case resubscribe(Symbol)
        /// The market's book fell out of sync for this reason (counted and logged).
        case resynchronized(Symbol, BookResyncReason)
    }

    private struct Market {
        var sync: BookSynchronizer
        /// Wall time of the last publish, ns; `.min` before the first.
        var publishedAt: Int64 = .min
        /// Changed since the last publish.
        var isDirty = false
        /// A REST snapshot was asked for and not answered yet.
        var snapshotPending = false
    }

    let exchange: Exchange
    let depth: Int
    let publishIntervalNanos: Int64
    private var markets: [Symbol: Market]
    /// The markets in a fixed order, for ``flush(now:staleAfterNanos:)``'s actions.
    private let order: [Symbol]

    /// - Parameters:
    ///   - exchange: whose books these are.
    ///   - symbols: the connection's markets.
    ///   - sequencing: the exchange's.
    ///   - depth: levels per side published.
    ///   - publishIntervalNanos: shortest time between two publishes of one market.
    init(exchange: Exchange, symbols: [Symbol], sequencing: BookSequencing, depth: Int, publishIntervalNanos: Int64) {
        self.exchange = exchange
        self.depth = depth
        self.publishIntervalNanos = publishIntervalNanos
        markets = Dictionary(symbols.map { ($0, Market(sync: BookSynchronizer(sequencing: sequencing))) }, uniquingKeysWith: { first, _ in first })
        order = markets.keys.sorted { $0.description < $1.description }
    }

    /// How many of the markets are in sync now.
    var synchronizedCount: Int {
        markets.values.reduce(0) { $0 + ($1.sync.isSynchronized ? 1 : 0) }
    }

    /// Applies one update from the stream; updates of markets the connection does not carry are ignored.
    /// - Returns: what the update did to its book, and the actions that follow.
    mutating func receive(_ update: BookUpdate, now: Int64) -> (BookSynchronizer.Outcome, [Action]) {
        guard var market = markets[update.symbol] else { return (.ignored, []) }
        defer { markets[update.symbol] = market }
        let outcome = market.sync.receive(update)
        var actions = Self.follow(outcome, of: update.symbol, in: &market)
        if outcome == .buffered, !market.snapshotPending {
            // Binance: the first delta is buffered; now the snapshot (step 3 of its procedure).
            market.snapshotPending = true
            actions.append(.requestSnapshot(update.symbol))
        }
        if outcome == .updated { publishIfDue(update.symbol, &market, now: now, into: &actions) }
        return (outcome, actions)
    }

    /// Applies a REST snapshot of a market.
    mutating func receiveSnapshot(_ snapshot: BookUpdate, now: Int64) -> [Action] {
        guard var market = markets[snapshot.symbol] else { return [] }
        defer { markets[snapshot.symbol] = market }
        market.snapshotPending = false
        let outcome = market.sync.receiveSnapshot(snapshot)
        var actions = Self.follow(outcome, of: snapshot.symbol, in: &market)
        if outcome == .updated { publishIfDue(snapshot.symbol, &market, now: now, into: &actions) }
        return actions
    }

    /// A REST snapshot could not be had: ask again.
    mutating func snapshotFailed(_ symbol: Symbol) -> [Action] {
        guard markets[symbol] != nil else { return [] }
        markets[symbol]?.snapshotPending = true
        return [.requestSnapshot(symbol)]
    }

    /// Publishes the books that changed since their last publish and are due, and resynchronises
    /// those silent for longer than `staleAfterNanos`.
    mutating func flush(now: Int64, staleAfterNanos: Int64) -> [Action] {
        var actions: [Action] = []
        for symbol in order {
            guard var market = markets[symbol] else { continue }
            if let outcome = market.sync.checkStaleness(nowNanos: now, maxAgeNanos: staleAfterNanos) {
                actions += Self.follow(outcome, of: symbol, in: &market)
            } else if market.isDirty {
                publishIfDue(symbol, &market, now: now, into: &actions)
            }
            markets[symbol] = market
        }
        return actions
    }

    /// The actions a synchroniser's outcome calls for.
    private static func follow(_ outcome: BookSynchronizer.Outcome, of symbol: Symbol, in market: inout Market) -> [Action] {
        switch outcome {
        case .updated:
            market.isDirty = true
            return []
        case .buffered, .ignored:
            return []
        case .resynchronize(let reason):
            market.isDirty = false
            switch market.sync.sequencing.recovery {
            case .nextMessage:
                return [.resynchronized(symbol, reason)]
            case .resubscribe:
                return [.resynchronized(symbol, reason), .resubscribe(symbol)]
            case .restSnapshot:
                // A snapshot too old is asked for again at once; after a gap the stream's next
                // delta is buffered first and asks for it (see `receive`).
                guard reason == .snapshotMismatch else { return [.resynchronized(symbol, reason)] }
                market.snapshotPending = true
                return [.resynchronized(symbol, reason), .requestSnapshot(symbol)]
            }
        }
    }

    private func publishIfDue(_ symbol: Symbol, _ market: inout Market, now: Int64, into actions: inout [Action]) {
        guard market.sync.isSynchronized, market.isDirty,
              market.publishedAt == .min || now - market.publishedAt >= publishIntervalNanos
        else { return }
        var book = market.sync.book
        book.truncate(depth: depth)
        market.publishedAt = now
        market.isDirty = false
        actions.append(.publish(BookUpdate(
            kind: .snapshot, exchange: exchange, symbol: symbol, bids: book.bids, asks: book.asks,
            updateID: market.sync.updateID, eventTimeNanos: market.sync.eventTimeNanos, receiveTimeNanos: market.sync.lastReceiveTimeNanos
        )))
    }
}
