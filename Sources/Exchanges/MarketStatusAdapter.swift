import CoinfluxCore

/// An exchange that flags markets with an investment warning or alerts (Upbit, Bithumb's v1 API):
/// the REST requests that read every listed market's flags, and their parser.
///
/// Pure like `ExchangeAdapter`: the collector's poller makes the requests and calls this with the bodies.
public protocol MarketStatusAdapter: ExchangeAdapter {
    /// The paths (with query) of the requests whose bodies together give the flags, in the order
    /// ``parseMarketStatuses(bodies:)`` takes them.
    var marketStatusPaths: [String] { get }
    /// Parses the bodies of ``marketStatusPaths``, one per path in the same order.
    /// - Returns: the flags of every market whose code maps to a symbol (others are left out).
    /// - Throws: `FrameError` for a malformed body, an exchange error reply or a wrong number of bodies.
    func parseMarketStatuses(bodies: [[UInt8]]) throws(FrameError) -> [Symbol: MarketFlags]
}

extension FrameParsing {
    /// Runs `parse` on the bytes of each of `bodies`, which must be `count`.
    static func parseBodies<Result>(
        _ bodies: [[UInt8]], count: Int, _ parse: ([UnsafeRawBufferPointer]) throws(FrameError) -> Result
    ) throws(FrameError) -> Result {
        guard bodies.count == count else { throw FrameError("expected \(count) bodies, got \(bodies.count)") }
        func nest(_ index: Int, _ buffers: [UnsafeRawBufferPointer]) -> Swift.Result<Result, FrameError> {
            guard index < bodies.count else { return Swift.Result { () throws(FrameError) in try parse(buffers) } }
            return bodies[index].withUnsafeBytes { nest(index + 1, buffers + [$0]) }
        }
        return try nest(0, []).get()
    }

    /// The alert type named by a key or string value, if it is one (``MarketFlags/isCautionName(_:)``).
    static func cautionName(_ view: JSONReader.StringView) throws(FrameError) -> String {
        guard !view.hasEscapes, MarketFlags.isCautionName(view.rawBytes) else {
            throw FrameError("\(view.description.prefix(64)) is not an alert type (upper-case letters, digits and _)")
        }
        return view.description
    }
}
