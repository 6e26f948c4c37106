/// The result of walking one side of a book with a market order: how much it filled and at what
/// volume-weighted average price.
public struct BookFill: Sendable, Equatable {
    /// Base-asset quantity filled.
    public var quantity: Double
    /// Quote-currency amount paid or received.
    public var quoteAmount: Double
    /// The fraction of the order the book could fill, 0…1 (1 when it filled completely).
    public var filledFraction: Double

    /// `quoteAmount / quantity`; nil when nothing filled.
    public var averagePrice: Double? {
        quantity > 0 ? quoteAmount / quantity : nil
    }
}

extension OrderBook {
    /// Buys on the asks until `quoteAmount` is spent (or the asks run out).
    public func buy(spending quoteAmount: Double) -> BookFill {
        Self.walk(asks, quote: quoteAmount)
    }

    /// Sells on the bids until `quoteAmount` is received (or the bids run out).
    public func sell(receiving quoteAmount: Double) -> BookFill {
        Self.walk(bids, quote: quoteAmount)
    }

    /// Buys `quantity` of the base asset on the asks (or what the asks hold).
    public func buy(quantity: Double) -> BookFill {
        Self.walk(asks, quantity: quantity)
    }

    /// Sells `quantity` of the base asset on the bids (or what the bids hold).
    public func sell(quantity: Double) -> BookFill {
        Self.walk(bids, quantity: quantity)
    }

    /// Takes levels best first until their quote value reaches `quote`.
    private static func walk(_ side: [BookLevel], quote target: Double) -> BookFill {
        guard target > 0 else { return BookFill(quantity: 0, quoteAmount: 0, filledFraction: 0) }
        var quantity = 0.0
        var amount = 0.0
        for level in side {
            let value = level.price * level.size
            if amount + value >= target {
                quantity += (target - amount) / level.price
                amount = target
                break
            }
            quantity += level.size
            amount += value
        }
        return BookFill(quantity: quantity, quoteAmount: amount, filledFraction: amount / target)
    }

    /// Takes levels best first until their quantity reaches `target`.
    private static func walk(_ side: [BookLevel], quantity target: Double) -> BookFill {
        guard target > 0 else { return BookFill(quantity: 0, quoteAmount: 0, filledFraction: 0) }
        var quantity = 0.0
        var amount = 0.0
        for level in side {
            if quantity + level.size >= target {
                amount += (target - quantity) * level.price
                quantity = target
                break
            }
            quantity += level.size
            amount += level.price * level.size
        }
        return BookFill(quantity: quantity, quoteAmount: amount, filledFraction: quantity / target)
    }
}
