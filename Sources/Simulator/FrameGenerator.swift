import CoinfluxCore
import NIOCore

/// Renders one connection's frames from that connection's own price walks.
struct FrameGenerator {
    let handler: any ExchangeProtocol
    /// Seed of the connection; each market's walk is seeded from it and the market's name.
    let seed: UInt64
    private var markets: [Symbol: MarketState] = [:]
    private var nextIndex = 0
    private var malformedIndex = 0

    /// Most walks kept; beyond it, walks of symbols no longer subscribed start over.
    static let maxMarkets = 2 * SessionState.maxSubscriptions

    init(handler: any ExchangeProtocol, seed: UInt64) {
        self.handler = handler
        self.seed = seed
    }

    /// The next stream in round-robin order; `subscriptions` must not be empty.
    mutating func nextSubscription(from subscriptions: [Subscription]) -> Subscription {
        nextIndex = nextIndex < subscriptions.count - 1 ? nextIndex + 1 : 0
        return subscriptions[nextIndex]
    }

    /// A data frame for `subscription`: a new trade first, unless it is a snapshot of the
    /// current state.
    mutating func frame(_ subscription: Subscription, snapshot: Bool, now: Int64) -> ByteBuffer {
        var market = markets[subscription.symbol] ?? newMarket(subscription.symbol, now: now)
        if !snapshot {
            market.trade(at: now)
        }
        var buffer = ByteBuffer.withFrameHeadroom()
        handler.writeFrame(subscription, market: market, snapshot: snapshot, now: now, into: &buffer)
        markets[subscription.symbol] = market
        return buffer
    }

    /// The next broken frame, cycling through truncated JSON, wrongly typed values, an empty
    /// frame and a body that is not JSON at all.
    mutating func malformedFrame(subscriptions: [Subscription], now: Int64) -> ByteBuffer {
        defer { malformedIndex = (malformedIndex + 1) % 4 }
        switch malformedIndex {
        case 0:
            var whole = subscriptions.first.map { frame($0, snapshot: false, now: now) } ?? handler.wrongTypeFrame()
            return whole.readSlice(length: whole.readableBytes / 2) ?? ByteBuffer()
        case 1:
            return handler.wrongTypeFrame()
        case 2:
            return ByteBuffer()
        default:
            return ByteBuffer(string: "<html><body>502 Bad Gateway</body></html>")
        }
    }

    private mutating func newMarket(_ symbol: Symbol, now: Int64) -> MarketState {
        if markets.count >= Self.maxMarkets {
            markets.removeAll(keepingCapacity: true)
        }
        return MarketState(symbol: symbol, seed: SplitMix64.derive(seed: seed, "\(handler.exchange.rawValue)/\(symbol)"), now: now)
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
