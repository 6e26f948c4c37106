import CoinfluxCore

/// The logic of `coinflux decode`: one raw frame per line in, normalized events out as JSON lines
/// (the event codec's form, as they would appear on `market.ticks`; book messages in its book form,
/// as parsed, before any synchronisation).
///
/// Shares the adapters' parsing code with the live feeds, so an operator can replay captured
/// frames and see exactly what the collector would have produced.
public struct FrameLineDecoder {
    /// The result of one input line.
    public enum Outcome: Equatable {
        /// The frame held events; each element is one JSON line (without the newline).
        case events([String])
        /// A frame that carries no events (ack, pong, status), with what it was.
        case noEvents(FrameKind)
        /// An empty or whitespace-only line.
        case blank
        /// The frame does not parse; the reason.
        case failed(String)
    }

    public let adapter: any ExchangeAdapter
    private var events: [MarketEvent] = []
    private var books: [BookUpdate] = []
    private var buffer: [UInt8] = []

    public init(adapter: any ExchangeAdapter) {
        self.adapter = adapter
    }

    /// Decodes one line (a frame's bytes, without the line terminator).
    /// - Parameter receivedAt: receive time stamped on the events, ns since the epoch.
    public mutating func decode(line: [UInt8], receivedAt: Int64) -> Outcome {
        guard line.contains(where: { !Self.isWhitespace($0) }) else { return .blank }
        if let bookAdapter = adapter as? any OrderBookAdapter {
            books.removeAll(keepingCapacity: true)
            do {
                let isBook = try line.withUnsafeBytes { bytes in
                    try bookAdapter.parseBookMessage(frame: bytes, receivedAt: receivedAt, into: &books)
                }
                if isBook { return encoded(books, EventCodec.encode) }
            } catch {
                return .failed((error as? FrameError)?.reason ?? "\(error)")
            }
        }
        events.removeAll(keepingCapacity: true)
        let kind: FrameKind
        do {
            kind = try line.withUnsafeBytes { bytes in
                try adapter.parse(frame: bytes, receivedAt: receivedAt, into: &events)
            }
        } catch {
            return .failed((error as? FrameError)?.reason ?? "\(error)")
        }
        guard !events.isEmpty else { return .noEvents(kind) }
        return encoded(events, EventCodec.encode)
    }

    /// One JSON line per value, or the first encoding failure.
    private mutating func encoded<Value>(_ values: [Value], _ encode: (Value, inout [UInt8]) throws(EventCodec.EncodeError) -> Void) -> Outcome {
        var lines: [String] = []
        for value in values {
            buffer.removeAll(keepingCapacity: true)
            do {
                try encode(value, &buffer)
            } catch {
                return .failed("parsed, but it cannot be encoded: \(error)")
            }
            lines.append(String(decoding: buffer, as: UTF8.self))
        }
        return .events(lines)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }
}
