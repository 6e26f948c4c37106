import CoinfluxCore
import Exchanges
import Testing

/// Reading a USD/KRW rate out of FX sources' JSON (``FXQuoteFormat``): bodies shaped as
/// open.er-api.com's open-access response (`time_last_update_unix`, `rates`, per its published
/// schema), as a list of quote objects (Dunamu-style `basePrice`, `timestamp` in milliseconds),
/// and broken ones refused with the path named.
@Suite("FX quote format")
struct FXQuoteFormatTests {
    static let read: Int64 = 1_765_180_800_123_000_000

    static func failure(_ format: FXQuoteFormat, _ body: String) -> String? {
        do {
            let rate = try format.rate(in: Array(body.utf8), readNanos: read)
            Issue.record("read \(rate)")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func openAccessResponseWithTheDefaultPaths() throws {
        let body = """
            {"result":"success","provider":"https://www.exchangerate-api.com","time_last_update_unix":1765152151,
             "time_last_update_utc":"Mon, 08 Dec 2026 00:02:31 +0000","time_next_update_unix":1765239981,"time_eol_unix":0,
             "base_code":"USD","rates":{"USD":1,"AED":3.6725,"KRW":1391.523,"ZWL":26.8}}
            """
        let format = try FXQuoteFormat(ratePath: "rates.KRW", timePath: "time_last_update_unix")
        #expect(try format.rate(in: Array(body.utf8), readNanos: Self.read)
            == FXRate(krwPerUSD: 1_391.523, quotedNanos: 1_765_152_151_000_000_000, observedNanos: Self.read))
    }

    @Test func listOfQuotesWithAStringRateAndMilliseconds() throws {
        let body = #"[{"code":"FRX.KRWUSD","currencyCode":"USD","basePrice":"1391.50","timestamp":1765152151234}]"#
        let format = try FXQuoteFormat(ratePath: "0.basePrice", timePath: "0.timestamp")
        #expect(try format.rate(in: Array(body.utf8), readNanos: Self.read)
            == FXRate(krwPerUSD: 1_391.5, quotedNanos: 1_765_152_151_234_000_000, observedNanos: Self.read))
        // Without a time path the read time stands for the quote time.
        let untimed = try FXQuoteFormat(ratePath: "0.basePrice", timePath: "")
        #expect(try untimed.rate(in: Array(body.utf8), readNanos: Self.read).quotedNanos == Self.read)
    }

    @Test func timesInEachUnitAndOutOfRange() {
        #expect(FXQuoteFormat.epochNanos("1765152151") == 1_765_152_151_000_000_000)
        #expect(FXQuoteFormat.epochNanos("1765152151.5") == 1_765_152_151_500_000_000)
        #expect(FXQuoteFormat.epochNanos("1765152151234") == 1_765_152_151_234_000_000)
        #expect(FXQuoteFormat.epochNanos("1765152151234567") == 1_765_152_151_234_567_000)
        #expect(FXQuoteFormat.epochNanos("1765152151234567891") == 1_765_152_151_234_567_891)
        #expect(FXQuoteFormat.epochNanos("86400") == nil)  // 1970, or a duration: not a quote time
        #expect(FXQuoteFormat.epochNanos("-1") == nil)
        #expect(FXQuoteFormat.epochNanos("1e30") == nil)
        #expect(FXQuoteFormat.epochNanos("Mon, 08 Dec 2026") == nil)
    }

    @Test func brokenBodiesAndPathsAreRefusedWithTheReason() throws {
        let format = try FXQuoteFormat(ratePath: "rates.KRW", timePath: "time_last_update_unix")
        #expect(Self.failure(format, #"{"result":"error","error-type":"unknown-code"}"#) == "the body has no path rates.KRW")
        #expect(Self.failure(format, #"{"rates":{"KRW":0},"time_last_update_unix":1765152151}"#) == "path rates.KRW is \"0\", not a rate above zero")
        #expect(Self.failure(format, #"{"rates":{"KRW":"n/a"},"time_last_update_unix":1765152151}"#) == "path rates.KRW is \"n/a\", not a rate above zero")
        #expect(Self.failure(format, #"{"rates":{"KRW":{"mid":1391}},"time_last_update_unix":1765152151}"#) == "path rates.KRW is a JSON object, not a number")
        #expect(Self.failure(format, #"{"rates":{"KRW":1391},"time_last_update_unix":42}"#) == "path time_last_update_unix is \"42\", not a time since the epoch")
        #expect(Self.failure(format, #"{"rates":{"KRW":1391}}"#) == "the body has no path time_last_update_unix")
        #expect(Self.failure(format, "<html>502 Bad Gateway</html>")?.hasPrefix("the body is not JSON") == true)
        #expect(Self.failure(format, #"[{"rates":{"KRW":1391}}]"#) == "the body has no path rates.KRW")
        #expect(throws: FXQuoteFormat.Failure.self) { try FXQuoteFormat(ratePath: "", timePath: nil) }
        #expect(throws: FXQuoteFormat.Failure.self) { try FXQuoteFormat(ratePath: "rates..KRW", timePath: nil) }
        #expect(throws: FXQuoteFormat.Failure.self) { try FXQuoteFormat(ratePath: "rates.KRW", timePath: "a.") }
    }
}
