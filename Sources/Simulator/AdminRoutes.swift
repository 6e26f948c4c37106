import CoinfluxCore
import Hummingbird
import NIOCore

/// Fault injection and counters over HTTP, for demos and for tests in other processes:
///
/// - `POST /admin/<exchange>/close[?symbol=BTC-USDT]` (with a symbol: only the connections carrying it)
/// - `POST /admin/<exchange>/silence?seconds=N`
/// - `POST /admin/<exchange>/malformed?count=N`
/// - `POST /admin/<exchange>/error`
/// - `POST /admin/<exchange>/refuse?seconds=N[&status=429]` (default 503)
/// - `POST /admin/<exchange>/rest-limit?seconds=N[&retry_after=S]` (REST answers 429; default S = N)
/// - `GET /admin/counters`: every exchange's ``SimulatorCounters`` as JSON
enum AdminRoutes {
    /// Longest `silence` or `refuse` accepted, in seconds (a day).
    static let maxSeconds = 86_400.0

    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        router.post("/admin/:exchange/:fault") { request, requestContext -> Response in
            guard let name = requestContext.parameters.get("exchange"), let exchange = Exchange(rawValue: name) else {
                return RESTRoutes.json(.notFound) { $0.writeStaticString(#"{"error":"unknown exchange"}"#) }
            }
            guard let fault = parse(requestContext.parameters.get("fault") ?? "", query: request.uri.queryParameters) else {
                return RESTRoutes.json(.badRequest) {
                    $0.writeStaticString(#"{"error":"faults: close[?symbol=BASE-QUOTE], silence?seconds=N, malformed?count=N, error, refuse?seconds=N[&status=503|429], rest-limit?seconds=N[&retry_after=S]"}"#)
                }
            }
            context.faults.apply(fault, to: exchange)
            return RESTRoutes.json(.ok) { $0.writeStaticString(#"{"ok":true}"#) }
        }
        router.get("/admin/counters") { _, _ -> Response in
            RESTRoutes.json(.ok) { buffer in
                buffer.writeStaticString("{")
                for (index, exchange) in Exchange.allCases.enumerated() {
                    let counters = context.counters.snapshot(exchange)
                    buffer.writeStaticString(index == 0 ? "\"" : ",\"")
                    buffer.writeString(exchange.rawValue)
                    buffer.writeStaticString("\":{\"connectionsAccepted\":")
                    buffer.writeDecimalInteger(Int64(counters.connectionsAccepted))
                    buffer.writeStaticString(",\"connectionsRefused\":")
                    buffer.writeDecimalInteger(Int64(counters.connectionsRefused))
                    buffer.writeStaticString(",\"connectionsOpen\":")
                    buffer.writeDecimalInteger(Int64(counters.connectionsOpen))
                    buffer.writeStaticString(",\"keepaliveDrops\":")
                    buffer.writeDecimalInteger(Int64(counters.keepaliveDrops))
                    buffer.writeStaticString(",\"subscriptionsReceived\":")
                    buffer.writeDecimalInteger(Int64(counters.subscriptionsReceived))
                    buffer.writeStaticString(",\"pingsReceived\":")
                    buffer.writeDecimalInteger(Int64(counters.pingsReceived))
                    buffer.writeStaticString(",\"framesSent\":")
                    buffer.writeDecimalInteger(Int64(counters.framesSent))
                    buffer.writeStaticString("}")
                }
                buffer.writeStaticString("}")
            }
        }
    }

    /// The fault named `name` with its query parameters, or nil when either is invalid.
    static func parse(_ name: String, query: Parameters) -> SimulatorFault? {
        func seconds() -> Duration? {
            guard let text = query.get("seconds"), let value = Double(text), value >= 0, value <= maxSeconds else { return nil }
            return .milliseconds(Int64(value * 1_000))
        }
        switch name {
        case "close":
            guard let text = query.get("symbol") else { return .close }
            return Symbol(normalized: text).map { .closeConnections(carrying: $0) }
        case "error":
            return .error
        case "silence":
            return seconds().map { .silence($0) }
        case "malformed":
            guard let text = query.get("count"), let count = Int(text), count > 0, count <= FaultBoard.maxPendingMalformed else { return nil }
            return .malformed(count: count)
        case "refuse":
            let status = query.get("status").flatMap { Int($0) } ?? 503
            guard (400...599).contains(status) else { return nil }
            return seconds().map { .refuse($0, status: status) }
        case "rest-limit":
            guard let duration = seconds() else { return nil }
            let fallback = Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded(.up))
            guard let retryAfter = query.get("retry_after").map({ Int($0) }) ?? fallback, (0...86_400).contains(retryAfter) else { return nil }
            return .limitREST(duration, retryAfterSeconds: retryAfter)
        default:
            return nil
        }
    }
}
