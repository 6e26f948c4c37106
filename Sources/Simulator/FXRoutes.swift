import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// The USD/KRW rate the simulator's FX source serves: ``ReferencePrices/krwPerUSD`` until set,
/// quoted at the start of the current hour (as sources that update hourly quote it) unless a quote
/// time is set with it.
final class FXBoard: Sendable {
    private let rate = NIOLockedValueBox<(krwPerUSD: Double, quotedSeconds: Int64?)>((ReferencePrices.krwPerUSD, nil))

    /// Serves `krwPerUSD` from now on, quoted at `quotedSeconds` (nil: the start of each hour).
    func set(krwPerUSD: Double, quotedSeconds: Int64?) {
        rate.withLockedValue { $0 = (krwPerUSD, quotedSeconds) }
    }

    /// The rate and its quote time (epoch seconds) at `nowSeconds`.
    func quote(nowSeconds: Int64) -> (krwPerUSD: Double, quotedSeconds: Int64) {
        let current = rate.withLockedValue { $0 }
        return (current.krwPerUSD, current.quotedSeconds ?? nowSeconds - nowSeconds % 3_600)
    }
}

/// An FX source shaped like open.er-api.com's, for `collector.fx_url` (its default paths read it):
///
/// - `GET /fx/latest/USD`: `{"result":"success","base_code":"USD","time_last_update_unix":T,
///   "time_next_update_unix":T+3600,"rates":{"USD":1,"KRW":R}}`
/// - `POST /admin/fx?rate=R[&quoted=T]`: serves `R` won per dollar from now on, quoted at epoch
///   second `T` (default: the start of each hour)
enum FXRoutes {
    static func add(to router: Router<BasicRequestContext>, context: SimulatorContext) {
        router.get("/fx/latest/USD") { _, _ -> Response in
            let quote = context.fx.quote(nowSeconds: SimulatorContext.epochMicroseconds() / 1_000_000)
            return RESTRoutes.json(.ok) { buffer in
                buffer.writeString(#"{"result":"success","base_code":"USD","time_last_update_unix":\#(quote.quotedSeconds),"#)
                buffer.writeString(#""time_next_update_unix":\#(quote.quotedSeconds + 3_600),"rates":{"USD":1,"KRW":\#(quote.krwPerUSD)}}"#)
            }
        }
        router.post("/admin/fx") { request, _ -> Response in
            let query = request.uri.queryParameters
            let quotedText = query.get("quoted")
            guard let rate = query.get("rate").flatMap({ Double($0) }), rate.isFinite, rate > 0,
                  quotedText == nil || quotedText.flatMap({ Int64($0) }) != nil else {
                return RESTRoutes.json(.badRequest) { $0.writeStaticString(#"{"error":"fx?rate=R (above 0)[&quoted=EPOCH_SECONDS]"}"#) }
            }
            context.fx.set(krwPerUSD: rate, quotedSeconds: quotedText.flatMap { Int64($0) })
            return RESTRoutes.json(.ok) { $0.writeStaticString(#"{"ok":true}"#) }
        }
    }
}
