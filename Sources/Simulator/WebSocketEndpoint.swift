import CoinfluxCore
import Foundation

/// A WebSocket path the simulator serves and the protocol spoken there.
///
/// Paths mirror the real ones under one prefix per exchange:
/// `/binance/ws`, `/binance/ws/<stream>`, `/binance/stream?streams=a/b`, `/upbit/websocket/v1`,
/// `/bybit/v5/public/spot`, `/bithumb/websocket/v1`, `/bithumb/pub/ws`, `/coinone/`.
struct WebSocketEndpoint: Sendable {
    let handler: any ExchangeProtocol
    /// Streams the URL itself subscribes to (Binance raw and combined stream URLs).
    let initialSubscriptions: [Subscription]

    var exchange: Exchange { handler.exchange }

    /// The endpoint for a request target (`/path?query`), or nil when none is served there.
    /// - Parameters:
    ///   - target: the upgrade request's path and query.
    ///   - binanceStreamLimit: most streams one Binance connection may hold; a combined-stream
    ///     URL naming more is not served.
    static func resolve(_ target: String, binanceStreamLimit: Int) -> WebSocketEndpoint? {
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(pieces[0])
        while path.count > 1, path.hasSuffix("/") {
            path.removeLast()
        }
        let query = pieces.count > 1 ? String(pieces[1]) : ""
        let binanceRaw = BinanceProtocol(combined: false, streamLimit: binanceStreamLimit)

        switch path {
        case "/binance/ws":
            return WebSocketEndpoint(handler: binanceRaw, initialSubscriptions: [])
        case "/binance/stream":
            guard let streams = binanceStreams(query: query), streams.count <= binanceStreamLimit else { return nil }
            return WebSocketEndpoint(handler: BinanceProtocol(combined: true, streamLimit: binanceStreamLimit), initialSubscriptions: streams)
        case "/upbit/websocket/v1":
            return WebSocketEndpoint(handler: UpbitProtocol(dialect: .upbit), initialSubscriptions: [])
        case "/bybit/v5/public/spot":
            return WebSocketEndpoint(handler: BybitProtocol(), initialSubscriptions: [])
        case "/bithumb/websocket/v1":
            return WebSocketEndpoint(handler: UpbitProtocol(dialect: .bithumb), initialSubscriptions: [])
        case "/bithumb/pub/ws":
            return WebSocketEndpoint(handler: BithumbLegacyProtocol(), initialSubscriptions: [])
        case "/coinone":
            return WebSocketEndpoint(handler: CoinoneProtocol(), initialSubscriptions: [])
        default:
            let rawPrefix = "/binance/ws/"
            guard path.hasPrefix(rawPrefix),
                  let stream = String(path.dropFirst(rawPrefix.count)).removingPercentEncoding
            else { return nil }
            switch BinanceProtocol.parse(stream: stream) {
            case .simulated(let subscription):
                return WebSocketEndpoint(handler: binanceRaw, initialSubscriptions: [subscription])
            case .quiet:
                return WebSocketEndpoint(handler: binanceRaw, initialSubscriptions: [])
            case .invalid:
                return nil
            }
        }
    }

    /// Streams named by `streams=a/b` (absent: none); nil when one is malformed.
    private static func binanceStreams(query: String) -> [Subscription]? {
        var subscriptions: [Subscription] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "streams" else { continue }
            guard let value = String(parts[1]).removingPercentEncoding else { return nil }
            for name in value.split(separator: "/") {
                switch BinanceProtocol.parse(stream: String(name)) {
                case .simulated(let subscription): subscriptions.append(subscription)
                case .quiet: continue
                case .invalid: return nil
                }
            }
        }
        return subscriptions
    }
}
