import CoinfluxCore
import Exchanges

/// Recovers the trades of one closed gap from the exchange's REST history, page by page, and
/// says how complete the repair is. The pages come from a `fetch` function (the HTTP request,
/// paced within the exchange's REST budget), so the paging logic is tested with plain pages.
///
/// - Where trade ids are consecutive (``TradeHistoryAPI/Paging/fromID``) and the ids around the
///   gap are known, exactly the missing ids are asked for, forward; what the exchange no longer
///   has is counted (`unrecovered`).
/// - Otherwise pages are read from the newest backwards (as far as the exchange pages) until one
///   reaches back to the gap's start; trades within the gap's times are kept.
///
/// Trades already received (``SeriesTracker/isNew(_:)``) are left out either way.
struct TradeBackfill {
    /// What a backfill recovered and how complete the gap now is.
    struct Outcome: Equatable {
        /// The recovered trades, oldest first (by time, then id).
        var trades: [MarketEvent] = []
        /// Trades fetched that had been received already.
        var duplicates = 0
        var repair: SeriesGap.Repair = .no
        /// Trades known to be missing still, where the numbering tells.
        var unrecovered: Int?
        /// Pages fetched, and whether a fetch failed (the repair is then what was reached before).
        var pages = 0
        var failed = false
    }

    let api: TradeHistoryAPI
    /// Most pages one gap may cost: the backfill of one long gap must not starve the others, nor
    /// the ticker fallback, of the exchange's REST budget.
    let maximumPages: Int

    /// Recovers `closed` (a trade gap).
    func recover(
        _ closed: SeriesTracker.ClosedGap,
        fetch: (TradePage) async throws -> TradeHistoryPage,
        isNew: (MarketEvent) -> Bool
    ) async -> Outcome {
        var outcome: Outcome
        if api.paging == .fromID, let ids = closed.idsBetween {
            outcome = await forward(between: ids, fetch: fetch, isNew: isNew)
        } else {
            outcome = await backward(closed.gap, fetch: fetch, isNew: isNew)
        }
        outcome.trades.sort { ($0.eventTimeNanos, Self.order($0)) < ($1.eventTimeNanos, Self.order($1)) }
        return outcome
    }

    /// Asks for the ids strictly between the bounds, forward, a page at a time.
    private func forward(between ids: ClosedRange<Int64>, fetch: (TradePage) async throws -> TradeHistoryPage,
                         isNew: (MarketEvent) -> Bool) async -> Outcome {
        var outcome = Outcome()
        let missing = max(0, ids.upperBound - ids.lowerBound - 1)
        var next = ids.lowerBound + 1
        var obtained: Int64 = 0
        while next < ids.upperBound, outcome.pages < maximumPages {
            let page: TradeHistoryPage
            do {
                page = try await fetch(.fromID(next))
            } catch {
                outcome.failed = true
                break
            }
            outcome.pages += 1
            let inGap = page.trades.filter { trade in trade.tradeID.flatMap { Int64($0) }.map { $0 >= next && $0 < ids.upperBound } ?? false }
            guard let highest = inGap.compactMap({ $0.tradeID.flatMap { Int64($0) } }).max() else { break }
            obtained += Int64(inGap.count)
            take(inGap, into: &outcome, isNew: isNew)
            next = highest + 1
        }
        let unrecovered = Int(max(0, missing - obtained))
        outcome.unrecovered = unrecovered
        outcome.repair = unrecovered == 0 ? .yes : (obtained > 0 ? .partly : .no)
        return outcome
    }

    /// Reads pages from the newest back until one reaches the gap's start.
    private func backward(_ gap: SeriesGap, fetch: (TradePage) async throws -> TradeHistoryPage,
                          isNew: (MarketEvent) -> Bool) async -> Outcome {
        var outcome = Outcome()
        var request = TradePage.newest
        var covered = false
        var kept = 0
        while outcome.pages < maximumPages {
            let page: TradeHistoryPage
            do {
                page = try await fetch(request)
            } catch {
                outcome.failed = true
                break
            }
            outcome.pages += 1
            let inGap = page.trades.filter { $0.eventTimeNanos >= gap.startNanos && $0.eventTimeNanos <= gap.endNanos }
            kept += inGap.count
            take(inGap, into: &outcome, isNew: isNew)
            let oldest = page.trades.map(\.eventTimeNanos).min()
            // Reached back to the start, or the exchange has nothing older than this page. A short
            // page of a cursor-paged exchange may only end its UTC day (Upbit and Bithumb page
            // within one day), so it covers the gap only if it reaches the start.
            let exhausted = api.paging != .olderThanCursor && page.trades.count < api.pageSize
            if oldest.map({ $0 <= gap.startNanos }) ?? true || exhausted {
                covered = true
                break
            }
            guard api.paging == .olderThanCursor, let cursor = page.olderCursor else { break }
            request = .olderThan(cursor: cursor)
        }
        outcome.repair = covered ? .yes : (kept > 0 ? .partly : .no)
        return outcome
    }

    /// Keeps the trades not received yet; counts the others.
    private func take(_ trades: [MarketEvent], into outcome: inout Outcome, isNew: (MarketEvent) -> Bool) {
        for trade in trades {
            if isNew(trade) {
                outcome.trades.append(trade)
            } else {
                outcome.duplicates += 1
            }
        }
    }

    private static func order(_ trade: MarketEvent) -> Int64 {
        trade.tradeID.flatMap { Int64($0) } ?? trade.sequence ?? 0
    }
}
