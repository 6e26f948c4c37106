import CoinfluxCore
import NIOConcurrencyHelpers
import NIOHTTP1

/// A failure the simulator injects into one exchange's endpoints, by API
/// (``ExchangeSimulator/inject(_:into:)``) or by `POST /admin/<exchange>/<fault>`.
public enum SimulatorFault: Sendable, Equatable {
    /// Close the current WebSocket connections (close frame 1001, then the socket).
    case close
    /// Close only the current connections subscribed to a stream of this symbol, the way
    /// ``close`` does; the exchange's other connections stay open.
    case closeConnections(carrying: Symbol)
    /// Keep sockets open but send nothing at all (no data, no pings, no replies, no greeting) for
    /// the duration, on current and new connections. The markets keep trading: the trades made
    /// meanwhile are never sent on those sockets (counted as `tradesWithheld`); afterwards each
    /// connection continues with the first trade at or after the end of the silence, as an
    /// exchange's stream continues without replaying.
    case silence(Duration)
    /// Send `count` broken frames on every current connection, cycling through truncated
    /// JSON, wrongly typed values, an empty frame and text that is not JSON.
    case malformed(count: Int)
    /// Send the exchange's error frame on every current connection.
    case error
    /// Reject new WebSocket upgrades with HTTP `status` (503, or 429 as a rate limit) for
    /// the duration.
    case refuse(Duration, status: Int)
    /// Answer the exchange's REST endpoints with HTTP 429 and `Retry-After: retryAfterSeconds`
    /// for the duration, as an exchange does to a client over its request limit.
    case limitREST(Duration, retryAfterSeconds: Int)
    /// Skip the next book message of this market on every current connection carrying its book:
    /// a break in the update ids on Binance (`U` > previous `u` + 1) and Bybit (`u` jumps), a
    /// missed message on the snapshot venues. Counted as `bookMessagesSkipped`.
    case bookGap(Symbol)
    /// Send the next book message of this market crossed on every current connection carrying its
    /// book: on Binance and Bybit a delta that adds a bid at the best ask, on Upbit, Bithumb and
    /// Coinone a book whose best bid is the best ask. Counted as `crossedBooksSent`.
    case crossedBook(Symbol)
}

/// Fault state per exchange and the registry of live sessions the faults act on.
final class FaultBoard: Sendable {
    private struct ExchangeFaults {
        var silencedUntil: ContinuousClock.Instant?
        /// The same instant in epoch ms, to compare with trade times.
        var silencedUntilMilliseconds: Int64 = .min
        var refusal: (until: ContinuousClock.Instant, status: HTTPResponseStatus)?
        var restLimit: (until: ContinuousClock.Instant, retryAfterSeconds: Int)?
        var sessions: [ObjectIdentifier: SessionState] = [:]
    }

    private let state = NIOLockedValueBox<[Exchange: ExchangeFaults]>([:])

    /// Most malformed frames queued on one connection; larger requests are clamped.
    static let maxPendingMalformed = 10_000

    func apply(_ fault: SimulatorFault, to exchange: Exchange, now: ContinuousClock.Instant = .now) {
        let sessions: [SessionState] = state.withLockedValue { boards in
            switch fault {
            case .silence(let duration):
                boards[exchange, default: ExchangeFaults()].silencedUntil = now + duration
                let (seconds, attoseconds) = duration.components
                boards[exchange, default: ExchangeFaults()].silencedUntilMilliseconds =
                    SimulatorContext.epochMilliseconds() + seconds * 1_000 + attoseconds / 1_000_000_000_000_000
            case .refuse(let duration, let status):
                boards[exchange, default: ExchangeFaults()].refusal = (now + duration, HTTPResponseStatus(statusCode: status))
            case .limitREST(let duration, let retryAfter):
                boards[exchange, default: ExchangeFaults()].restLimit = (now + duration, retryAfter)
            case .close, .closeConnections, .malformed, .error, .bookGap, .crossedBook:
                break
            }
            return boards[exchange].map { Array($0.sessions.values) } ?? []
        }
        for session in sessions {
            switch fault {
            case .close: session.requestClose(code: .goingAway, reason: "simulated close")
            case .closeConnections(let symbol):
                if session.carries(symbol) { session.requestClose(code: .goingAway, reason: "simulated close") }
            case .malformed(let count): session.requestMalformed(count: min(max(0, count), Self.maxPendingMalformed))
            case .error: session.requestError()
            case .bookGap(let symbol), .crossedBook(let symbol):
                if session.carriesBook(symbol) { session.requestBookFault(symbol, gap: fault == .bookGap(symbol)) }
            case .silence, .refuse, .limitREST: break
            }
        }
    }

    func isSilenced(_ exchange: Exchange, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { boards in
            guard let until = boards[exchange]?.silencedUntil else { return false }
            return now < until
        }
    }

    /// End of the exchange's latest silence in epoch ms (`Int64.min` if it was never silenced):
    /// trades before it are not sent on connections that were silenced.
    func silenceEnd(_ exchange: Exchange) -> Int64 {
        state.withLockedValue { $0[exchange]?.silencedUntilMilliseconds ?? .min }
    }

    /// The status to reject a new upgrade with, or nil to accept it.
    func refusal(_ exchange: Exchange, now: ContinuousClock.Instant = .now) -> HTTPResponseStatus? {
        state.withLockedValue { boards in
            guard let refusal = boards[exchange]?.refusal, now < refusal.until else { return nil }
            return refusal.status
        }
    }

    /// The `Retry-After` seconds to answer a REST request with (HTTP 429), or nil to serve it.
    func restLimit(_ exchange: Exchange, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLockedValue { boards in
            guard let limit = boards[exchange]?.restLimit, now < limit.until else { return nil }
            return limit.retryAfterSeconds
        }
    }

    func register(_ session: SessionState, for exchange: Exchange) {
        state.withLockedValue { $0[exchange, default: ExchangeFaults()].sessions[ObjectIdentifier(session)] = session }
    }

    func unregister(_ session: SessionState, for exchange: Exchange) {
        _ = state.withLockedValue { $0[exchange]?.sessions.removeValue(forKey: ObjectIdentifier(session)) }
    }
}
