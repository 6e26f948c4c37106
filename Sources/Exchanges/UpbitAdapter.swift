import CoinfluxCore
import Foundation

/// Upbit (`wss://api.upbit.com/websocket/v1`, REST `https://api.upbit.com`).
///
/// Request, keepalive (text `PING` well within the ~120 s idle limit), frames and REST are the
/// shared Upbit format (see ``UpbitCompatibleAdapter``); Upbit's `trade_date`/`trade_time` are UTC.
public struct UpbitAdapter: UpbitCompatibleAdapter {
    public init() {}

    public var exchange: Exchange { .upbit }
    public var defaultWebSocketURL: URL { Self.webSocketURL }
    public var defaultRESTURL: URL { Self.restURL }
    public var streamTimeOffsetSeconds: Int64 { 0 }

    private static let webSocketURL = URL(string: "wss://api.upbit.com/websocket/v1")!
    private static let restURL = URL(string: "https://api.upbit.com")!
}
