/// One simulated trade.
struct SimulatedTrade: Sendable, Equatable {
    /// Position in the market's history: 0 for its first trade, one more per trade.
    var number: Int64
    /// The exchange's trade id (see ``TradeStyle/Numbering``).
    var id: Int64
    /// Trade price, a multiple of the market's tick size.
    var price: Double
    /// Traded base quantity, a multiple of the market's lot size.
    var quantity: Double
    /// True when the taker bought (lifted the ask), false when the taker sold.
    var takerBought: Bool
    /// Trade time, epoch milliseconds.
    var time: Int64
}

/// The last `capacity` trades of one market, oldest first, addressed by trade number.
///
/// Memory: `capacity` × 48 bytes at most (`MemoryLayout<SimulatedTrade>.stride`), reached only
/// once the market has traded that often; storage grows as trades arrive.
struct TradeLog: Sendable {
    let capacity: Int
    private var storage: [SimulatedTrade] = []
    /// Index in `storage` of the oldest trade once the ring is full.
    private var head = 0
    /// Number of the next trade to be appended (all trades ever appended).
    private(set) var endNumber: Int64

    init(capacity: Int, firstNumber: Int64 = 0) {
        self.capacity = max(1, capacity)
        self.endNumber = firstNumber
    }

    /// Number of the oldest trade kept.
    var startNumber: Int64 { endNumber - Int64(storage.count) }
    var count: Int { storage.count }
    var last: SimulatedTrade? { storage.isEmpty ? nil : self[endNumber - 1] }

    /// Appends `trade`, whose number must be `endNumber` or later (skipped numbers were never logged).
    mutating func append(_ trade: SimulatedTrade) {
        if trade.number != endNumber {
            // A fast-forward skipped trades: the log restarts at the new number.
            storage.removeAll(keepingCapacity: true)
            head = 0
        }
        if storage.count < capacity {
            storage.append(trade)
        } else {
            storage[head] = trade
            head = (head + 1) % capacity
        }
        endNumber = trade.number + 1
    }

    /// The trade with `number`, if kept.
    subscript(number: Int64) -> SimulatedTrade? {
        guard number >= startNumber, number < endNumber else { return nil }
        return storage[(head + Int(number - startNumber)) % storage.count]
    }

    /// Up to `limit` trades from `number` on (clamped to what is kept), oldest first.
    func trades(from number: Int64, limit: Int) -> [SimulatedTrade] {
        let first = max(number, startNumber)
        let end = first + min(Int64(max(0, limit)), max(0, endNumber - first))
        guard first < end else { return [] }
        return (first..<end).compactMap { self[$0] }
    }

    /// Number of the first kept trade for which `isAtOrAfter` holds, given that it holds for a
    /// suffix of the log (times and ids only grow); `endNumber` when none.
    func firstNumber(where isAtOrAfter: (SimulatedTrade) -> Bool) -> Int64 {
        var low = startNumber, high = endNumber
        while low < high {
            let middle = low + (high - low) / 2
            if let trade = self[middle], isAtOrAfter(trade) {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }
}
