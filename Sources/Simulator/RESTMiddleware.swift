import CoinfluxCore
import Hummingbird

/// In front of every exchange's REST routes (`/<exchange>/…`): counts the request in the
/// ``RESTRequestLog`` (with Binance's weight), and answers HTTP 429 with `Retry-After` while the
/// exchange's `rest-limit` fault lasts.
struct RESTMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let faults: FaultBoard
    let requests: RESTRequestLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let first = request.uri.path.split(separator: "/").first, let exchange = Exchange(rawValue: String(first)) else {
            return try await next(request, context)
        }
        let retryAfter = faults.restLimit(exchange)
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            query[String(key)] = String(value)
        }
        requests.record(
            exchange, weight: RESTRequestLog.weight(exchange, path: request.uri.path, query: query), limited: retryAfter != nil,
            atMilliseconds: SimulatorContext.epochMilliseconds()
        )
        if let retryAfter {
            return RESTRoutes.json(.tooManyRequests, headers: [.retryAfter: String(retryAfter)]) {
                $0.writeStaticString(#"{"error":"too many requests"}"#)
            }
        }
        return try await next(request, context)
    }
}
