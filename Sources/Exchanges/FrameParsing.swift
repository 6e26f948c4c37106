import CoinfluxCore

/// Plumbing shared by every adapter's parsers: one JSON document per call, failures turned into
/// `FrameError`, and nothing left appended when a frame fails half-way.
///
/// The parsers themselves throw whatever `JSONReader` throws plus `FrameError`; only this
/// boundary converts, so the individual reads need no wrapping.
enum FrameParsing {
    /// Reads `bytes` as exactly one JSON document with `body`.
    ///
    /// - Parameters:
    ///   - bytes: the frame or body.
    ///   - events: `body` appends here (market events or book updates); on failure everything it appended is removed again.
    ///   - body: reads the document's single top-level value.
    /// - Throws: `FrameError` for anything malformed, including bytes after the document.
    static func parse<Element, Result>(
        _ bytes: UnsafeRawBufferPointer,
        into events: inout [Element],
        _ body: (inout JSONReader, inout [Element]) throws -> Result
    ) throws(FrameError) -> Result {
        let mark = events.count
        do {
            return try parse(bytes) { reader in try body(&reader, &events) }
        } catch {
            events.removeSubrange(mark...)
            throw error
        }
    }

    /// Reads `bytes` as exactly one JSON document with `body`, for bodies parsed into a value
    /// (a page of trades, a market list) rather than appended events.
    /// - Throws: `FrameError` for anything malformed, including bytes after the document.
    static func parse<Result>(_ bytes: UnsafeRawBufferPointer, _ body: (inout JSONReader) throws -> Result) throws(FrameError) -> Result {
        do {
            var reader = JSONReader(bytes: bytes)
            let result = try body(&reader)
            try reader.finish()
            return result
        } catch {
            throw FrameError(describing: error)
        }
    }

    /// `parse` for a REST ticker body, which must yield at least one ticker: a poll that returns
    /// none (`[]`, an empty `list`) failed.
    static func parseTickers(
        _ bytes: UnsafeRawBufferPointer,
        into events: inout [MarketEvent],
        _ body: (inout JSONReader, inout [MarketEvent]) throws -> Void
    ) throws(FrameError) {
        let mark = events.count
        try parse(bytes, into: &events, body)
        guard events.count > mark else { throw FrameError("no ticker in the body") }
    }

    /// `parse` for a page of recent trades of `symbol`: `body` returns the page with its trades built
    /// as the stream parser builds them; they come back marked backfilled.
    /// - Throws: `FrameError` for anything malformed, and for a trade of another market than `symbol`.
    static func parseTradePage(
        _ bytes: UnsafeRawBufferPointer, symbol: Symbol, _ body: (inout JSONReader) throws -> TradeHistoryPage
    ) throws(FrameError) -> TradeHistoryPage {
        var page = try parse(bytes, body)
        for index in page.trades.indices {
            guard page.trades[index].symbol == symbol else {
                throw FrameError("a trade of \(page.trades[index].symbol) in the trades of \(symbol)")
            }
            page.trades[index].isBackfilled = true
        }
        return page
    }

    /// Nanoseconds since the epoch for an exchange time in epoch milliseconds.
    /// - Throws: `FrameError` for negative times and times beyond what nanoseconds in `Int64` hold (year 2262).
    static func nanoseconds(milliseconds: Int64, field: StaticString) throws(FrameError) -> Int64 {
        let (nanoseconds, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        guard milliseconds >= 0, !overflow else { throw FrameError("\(field) \(milliseconds) is not a time in epoch milliseconds") }
        return nanoseconds
    }
}

extension FrameError {
    /// The `FrameError` for any failure of a parser: itself, or a `JSONReader` error with its byte offset.
    init(describing error: any Error) {
        switch error {
        case let error as FrameError: self = error
        case let error as JSONReader.Error: self.init(error.description)
        default: self.init(String(describing: error))
        }
    }

    /// A required field is absent.
    static func missing(_ field: StaticString) -> FrameError {
        FrameError("missing field \(field)")
    }

    /// A field holds a value outside its documented set (quoted in the reason, cut at 64 characters).
    static func invalid(_ field: StaticString, _ value: JSONReader.StringView) -> FrameError {
        let text = value.description
        let shown = text.count > 64 ? text.prefix(64) + "…" : Substring(text)
        return FrameError("unexpected \(field) \"\(shown)\"")
    }

    /// The exchange answered with an error instead of data (REST bodies).
    static func exchangeReply(_ text: String) -> FrameError {
        FrameError("exchange error: \(text)")
    }
}

extension JSONReader {
    /// The string value of the first member of the object that starts here whose key satisfies
    /// `matches`, found on a copy of the reader: the reader itself does not move.
    ///
    /// Used to learn a frame's type (`"e"`, `"type"`, `"topic"`…) before reading the members whose
    /// meaning depends on it, whatever their order. When the type comes first, as the exchanges
    /// send it, this reads a single member.
    /// - Returns: nil when no key matches.
    /// - Throws: `JSONReader.Error` when this is not an object, the matching value is not a string,
    ///   or the object is malformed before the match.
    func stringMember(where matches: (StringView) -> Bool) throws -> StringView? {
        var probe = self
        try probe.beginObject()
        while let key = try probe.nextKey() {
            if matches(key) { return try probe.readStringView() }
        }
        return nil
    }

    /// Reads an identifier sent as a string or as a number; returns it as text and, when it is an
    /// integer that fits `Int64`, as a number too (never through `Double`).
    mutating func readIdentifier() throws -> (text: String, number: Int64?) {
        let text = try readStringOrNumber()
        return (text, Int64(text))
    }
}
