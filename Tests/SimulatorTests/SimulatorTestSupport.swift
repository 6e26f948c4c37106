import AsyncHTTPClient
import CoinfluxCore
import Foundation
import NIOCore
import NIOHTTP1
import Simulator
import Testing

/// Starts a simulator on a free loopback port, runs `body`, and stops it.
func withSimulator<Result: Sendable>(
    _ configuration: SimulatorConfiguration = .testing(),
    _ body: (ExchangeSimulator, Int) async throws -> Result
) async throws -> Result {
    let simulator = ExchangeSimulator(configuration: configuration)
    let port = try await simulator.start()
    do {
        let result = try await body(simulator, port)
        await simulator.stop()
        return result
    } catch {
        await simulator.stop()
        throw error
    }
}

extension SimulatorConfiguration {
    /// A seeded simulator whose markets trade briskly but modestly, ten tickers a second, and,
    /// unless given, real keepalives.
    static func testing(
        tradesPerSecond: Double = 20,
        tickersPerSecond: Double = 10,
        keepalive: Keepalive = Keepalive()
    ) -> SimulatorConfiguration {
        SimulatorConfiguration(tradesPerSecond: tradesPerSecond, tickersPerSecond: tickersPerSecond, seed: 7, keepalive: keepalive)
    }
}

/// Shortened keepalive rules: every timeout two seconds (wide enough for a client pinging every
/// 300 ms on a loaded machine), Binance pings every 300 ms.
let shortKeepalive = SimulatorConfiguration.Keepalive(
    binancePingInterval: .milliseconds(300),
    binancePongTimeout: .seconds(2),
    upbitIdleTimeout: .seconds(2),
    bithumbIdleTimeout: .seconds(2),
    bybitPingTimeout: .seconds(2),
    coinonePingTimeout: .seconds(2)
)

/// An HTTP response from the simulator.
struct HTTPResult {
    let status: Int
    let contentType: String?
    let body: [UInt8]

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body)) }
    var object: [String: Any]? { json as? [String: Any] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// `method` `http://127.0.0.1:port<path>`.
func http(_ method: HTTPMethod = .GET, port: Int, _ path: String) async throws -> HTTPResult {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
    request.method = method
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 20)
    return HTTPResult(
        status: Int(response.status.code),
        contentType: response.headers.first(name: "content-type"),
        body: Array(body.readableBytesView)
    )
}

/// Current wall-clock time in epoch milliseconds.
func nowMilliseconds() -> Int64 {
    Int64(Date().timeIntervalSince1970 * 1_000)
}

/// A JSON value as a Double when it is a number (not a string); nil otherwise.
func jsonNumber(_ value: Any?) -> Double? {
    guard let number = value as? NSNumber, !(value is String) else { return nil }
    return number.doubleValue
}

/// A JSON string holding a decimal number.
func decimalString(_ value: Any?) -> Double? {
    (value as? String).flatMap(Double.init)
}

/// The raw digits of `"key":<digits>` in `text` (for numbers JSONSerialization would round).
func rawNumber(_ key: String, in text: String) -> String? {
    guard let range = text.range(of: "\"\(key)\":") else { return nil }
    let digits = text[range.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "-" }
    return digits.isEmpty ? nil : String(digits)
}

/// Whether `condition` holds within `deadline`, checking every 10 ms (for state that settles
/// right after a socket closes, such as the open-connections counter).
func eventually(within deadline: Duration = .seconds(2), _ condition: () -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while !condition() {
        guard clock.now < end else { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}
