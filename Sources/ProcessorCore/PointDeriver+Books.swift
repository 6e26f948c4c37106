import CoinfluxCore

/// Order books (`market.books`) into `orderbook` and `premium_executable` points.
///
/// Each series keeps its latest book. The first book of each `orderbookInterval` of event time
/// (intervals counted from the epoch) is written as an `orderbook` point at its event time; for a
/// KRW book of a venue other than the reference, a `premium_executable` point goes with it: the
/// order of `premiumSizeKRW` walked on this book and on the reference venue's USDT book of the same
/// base (``ExecutablePremium``), converted at the KRW-per-USDT rate (`basis` `usdt`, the rate of
/// the `premium` measurement), and a second one converted at the FX source's USD/KRW rate
/// (`basis` `fx`) when one is known. A reference book or rate older than the settings' maximum
/// ages relative to the KRW book gives no premium. Deterministic in the order of the messages, so a
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
        let time = update.eventTimeNanos
        series.values[index].executablePremium = executablePremium(of: index, at: time, krwPerDollar: premiums.krwPerUSDT(at: time))
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
        if let premium = series.values[index].executablePremium {
            writeExecutablePremium(premium, of: index, basis: Self.usdtBasis, at: time, into: &buffer, counts: &counts)
        }
        if let premium = executablePremium(of: index, at: time, krwPerDollar: premiums.krwPerUSD(at: time)) {
            writeExecutablePremium(premium, of: index, basis: Self.fxBasis, at: time, into: &buffer, counts: &counts)
        }
    }

    /// The executable premium of a KRW book at `timeNanos` converted at `krwPerDollar` (a fresh
    /// rate, or nil), when the reference book is fresh.
    private func executablePremium(of index: [SeriesKey: Series].Index, at timeNanos: Int64, krwPerDollar: Double?) -> ExecutablePremium? {
        let key = series.keys[index]
        let settings = context.settings
        guard let krwPerDollar, key.symbol.quote == "KRW", key.exchange != settings.referenceExchange,
              let reference = series[SeriesKey(exchange: settings.referenceExchange, symbol: Symbol(base: key.symbol.base, quote: "USDT"))],
              !reference.book.isEmpty, timeNanos - reference.bookTimeNanos <= settings.maxReferenceAge.saturatingNanoseconds
        else { return nil }
        return ExecutablePremium(krwBook: series.values[index].book, referenceBook: reference.book, krwPerDollar: krwPerDollar,
                                 sizeKRW: settings.premiumSizeKRW)
    }

    /// The `premium_executable` point of one basis.
    private func writeExecutablePremium(
        _ premium: ExecutablePremium, of index: [SeriesKey: Series].Index, basis: LineProtocol.TagValue, at timeNanos: Int64,
        into buffer: inout LineProtocol.Buffer, counts: inout DerivationCounts
    ) {
        let outcome = buffer.append(MeasurementName.premiumExecutable, timestampNanos: timeNanos) { line in
            Self.premiumTags(series.values[index], basis: basis, reference: context.reference, into: &line)
            line.field(Name.sizeKRW, premium.sizeKRW)
            line.field(Name.buyPremium, premium.buyInKorea.premium)
            line.field(Name.sellPremium, premium.sellInKorea.premium)
            line.field(Name.buyKRWFill, premium.buyInKorea.krwFill)
            line.field(Name.buyReferenceFill, premium.buyInKorea.referenceFill)
            line.field(Name.sellKRWFill, premium.sellInKorea.krwFill)
            line.field(Name.sellReferenceFill, premium.sellInKorea.referenceFill)
            if basis == Self.usdtBasis {
                line.field(Name.krwPerUsdt, premium.krwPerDollar)
            } else if let fx = premiums.fx {
                Self.fxFields(fx, at: timeNanos, into: &line)
            }
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
