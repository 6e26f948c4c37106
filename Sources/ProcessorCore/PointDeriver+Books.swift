import CoinfluxCore

/// Order books (`market.books`) into `orderbook` and `premium_executable` points.
///
/// Each series keeps its latest book. The first book of each `orderbookInterval` of event time
/// (intervals counted from the epoch) is written as an `orderbook` point at its event time; for a
/// KRW book of a venue other than the reference, a `premium_executable` point goes with it: the
/// order of `premiumSizeKRW` walked on this book and on the reference venue's USDT book of the same
/// base (``ExecutablePremium``), converted at the KRW-per-USDT rate (`basis` `usdt`, the rate of
/// the `premium` measurement). A reference book or rate older than the settings' maximum ages
/// relative to the KRW book gives no premium. Deterministic in the order of the messages, so a
/// replay writes the same points again.
extension PointDeriver {
    static let usdtBasis = tagValue("usdt")

    /// Applies one book: stores it, and writes its points when it opens a new interval.
    mutating func applyBook(_ update: BookUpdate, emit: Bool, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts) {
        let index = seriesIndex(exchange: update.exchange, symbol: update.symbol)
        guard update.eventTimeNanos >= series.values[index].bookTimeNanos else {
            counts.outOfOrder += 1
            return
        }
        switch update.kind {
        case .snapshot: series.values[index].book.replace(bids: update.bids, asks: update.asks)
        case .delta: series.values[index].book.apply(bids: update.bids, asks: update.asks)
        }
        series.values[index].bookTimeNanos = update.eventTimeNanos
        let interval = max(context.settings.orderbookInterval.saturatingNanoseconds, 1)
        let sampleInterval = update.eventTimeNanos.dividedFloor(by: interval)
        guard sampleInterval != series.values[index].bookSampleInterval else { return }
        series.values[index].bookSampleInterval = sampleInterval
        series.values[index].executablePremium = executablePremium(of: index, at: update.eventTimeNanos)
        guard emit, let summary = BookSummary(series.values[index].book) else { return }
        let book = series.values[index].book
        let outcome = buffer.append(MeasurementName.orderbook, timestampNanos: update.eventTimeNanos) { line in
            series.values[index].tags(into: &line)
            line.field(Name.bid, summary.bestBid)
            line.field(Name.bidSize, summary.bestBidSize)
            line.field(Name.ask, summary.bestAsk)
            line.field(Name.askSize, summary.bestAskSize)
            line.field(Name.mid, summary.mid)
            line.field(Name.spreadBps, summary.spreadBasisPoints)
            line.field(Name.bidDepth10, summary.bidDepth10)
            line.field(Name.askDepth10, summary.askDepth10)
            line.field(Name.bidDepth50, summary.bidDepth50)
            line.field(Name.askDepth50, summary.askDepth50)
            line.field(Name.imbalance, summary.imbalance)
            line.field(Name.bidLevels, book.bids.count)
            line.field(Name.askLevels, book.asks.count)
        }
        counts.count(outcome, \.orderbooks)
        writeExecutablePremium(of: index, at: update.eventTimeNanos, into: &buffer, counts: &counts)
    }

    /// The executable premium of a KRW book at `timeNanos`, when the reference book and the rate are fresh.
    private func executablePremium(of index: [SeriesKey: Series].Index, at timeNanos: Int64) -> ExecutablePremium? {
        let key = series.keys[index]
        let settings = context.settings
        guard key.symbol.quote == "KRW", key.exchange != settings.referenceExchange,
              let reference = series[SeriesKey(exchange: settings.referenceExchange, symbol: Symbol(base: key.symbol.base, quote: "USDT"))],
              !reference.book.isEmpty, timeNanos - reference.bookTimeNanos <= settings.maxReferenceAge.saturatingNanoseconds,
              let rate = premiums.krwPerUSDT, let rateTime = premiums.krwPerUSDTTimeNanos,
              timeNanos - rateTime <= settings.maxExchangeRateAge.saturatingNanoseconds
        else { return nil }
        return ExecutablePremium(krwBook: series.values[index].book, referenceBook: reference.book, krwPerUSDT: rate, sizeKRW: settings.premiumSizeKRW)
    }

    /// The `premium_executable` point of the series' latest executable premium, if it has one.
    private func writeExecutablePremium(
        of index: [SeriesKey: Series].Index, at timeNanos: Int64, into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts
    ) {
        guard let premium = series.values[index].executablePremium else { return }
        let outcome = buffer.append(MeasurementName.premiumExecutable, timestampNanos: timeNanos) { line in
            let tags = series.values[index]
            line.tag(Name.base, tags.base)
            line.tag(Name.basis, Self.usdtBasis)
            line.tag(Name.exchange, tags.exchange)
            line.tag(Name.quote, tags.quote)
            line.tag(Name.reference, context.reference)
            line.tag(Name.symbol, tags.symbol)
            line.field(Name.sizeKRW, premium.sizeKRW)
            line.field(Name.buyPremium, premium.buyInKorea.premium)
            line.field(Name.sellPremium, premium.sellInKorea.premium)
            line.field(Name.buyKRWFill, premium.buyInKorea.krwFill)
            line.field(Name.buyReferenceFill, premium.buyInKorea.referenceFill)
            line.field(Name.sellKRWFill, premium.sellInKorea.krwFill)
            line.field(Name.sellReferenceFill, premium.sellInKorea.referenceFill)
            line.field(Name.krwPerUsdt, premium.krwPerUSDT)
        }
        counts.count(outcome, \.executablePremiums)
    }

    /// The executable premium of `symbol`'s latest sampled book on `exchange` (KRW venues), if any.
    public func executablePremium(exchange: Exchange, symbol: Symbol) -> ExecutablePremium? {
        series[SeriesKey(exchange: exchange, symbol: symbol)]?.executablePremium
    }
}

extension Int64 {
    /// `self / divisor` rounded toward minus infinity (`divisor` > 0).
    fileprivate func dividedFloor(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
