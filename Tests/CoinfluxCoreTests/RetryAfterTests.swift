import Testing

import CoinfluxCore

@Suite("Retry-After parsing")
struct RetryAfterTests {
    static let now = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test("delay-seconds")
    func seconds() {
        #expect(RetryAfter.delay("120", now: Self.now) == .seconds(120))
        #expect(RetryAfter.delay(" 7 ", now: Self.now) == .seconds(7))
        #expect(RetryAfter.delay("0", now: Self.now) == .zero)
        #expect(RetryAfter.delay("99999999999999999999999", now: Self.now)! > .seconds(1_000_000))
    }

    @Test("the three HTTP-date formats")
    func dates() {
        #expect(RetryAfter.secondsSince1970(httpDate: "Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.secondsSince1970(httpDate: "Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.secondsSince1970(httpDate: "Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(RetryAfter.secondsSince1970(httpDate: "Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.secondsSince1970(httpDate: "Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:37 GMT", now: Self.now) == .seconds(60))
    }

    @Test("a date in the past means no wait; garbage means no header")
    func pastAndMalformed() {
        #expect(RetryAfter.delay("Sat, 05 Nov 1994 08:49:37 GMT", now: Self.now) == .zero)
        for garbage in ["", "soon", "-5", "1.5", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT"] {
            #expect(RetryAfter.delay(garbage, now: Self.now) == nil, "\(garbage)")
        }
    }
}
