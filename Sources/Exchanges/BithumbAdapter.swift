import CoinfluxCore
import Foundation

/// Bithumb's current, Upbit-compatible v1 API (`wss://ws-api.bithumb.com/websocket/v1`, REST
/// `https://api.bithumb.com`). Bithumb's older API is ``BithumbLegacyAdapter``.
///
/// Request, keepalive (text `PING`, ~120 s idle limit), frames and REST are the shared Upbit
/// format (see ``UpbitCompatibleAdapter``). Differences it absorbs: `sequential_id` may be a
/// string, `trade_date`/`trade_time` of stream frames are KST (the epoch-ms `trade_timestamp`
/// is preferred), `delisting_date` may be `""`.
public struct BithumbAdapter: UpbitCompatibleAdapter {
    public init() {}

    public var exchange: Exchange { .bithumb }
    public var defaultWebSocketURL: URL { Self.webSocketURL }
    public var defaultRESTURL: URL { Self.restURL }
    public var streamTimeOffsetSeconds: Int64 { CivilTimestamp.koreaOffsetSeconds }

    private static let webSocketURL = URL(string: "wss://ws-api.bithumb.com/websocket/v1")!
    private static let restURL = URL(string: "https://api.bithumb.com")!
}
