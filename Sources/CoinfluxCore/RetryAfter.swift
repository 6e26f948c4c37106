/// Parsing of the HTTP `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an
/// HTTP-date, in any of the three date formats recipients must accept. Used by the InfluxDB
/// writer's retries and the collector's REST fallback.
public enum RetryAfter {
    /// The delay the header asks for, relative to `now` (seconds since 1970), or nil when the
    /// header is malformed. A date in the past gives zero.
    public static func delay(_ header: String, now: Double) -> Duration? {
        let value = header.trimmingSpaces()
        if !value.isEmpty, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Saturate absurd values (callers cap the delay anyway) instead of overflowing.
            return .seconds(value.utf8.count > 12 ? 999_999_999_999 : Int64(value) ?? 0)
        }
        guard let date = secondsSince1970(httpDate: value) else { return nil }
        return .seconds(max(0, Double(date) - now))
    }

    /// Seconds since 1970 for an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), an RFC 850 date
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) or an asctime date (`Sun Nov  6 08:49:37 1994`).
    public static func secondsSince1970(httpDate: String) -> Int64? {
        let words = httpDate.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let day: Int, month: Int, year: Int, time: String
        switch words.count {
        case 6 where words[0].hasSuffix(",") && words[5] == "GMT":  // IMF-fixdate
            guard let d = Int(words[1]), let m = monthNumber(words[2]), let y = Int(words[3]) else { return nil }
            (day, month, year, time) = (d, m, y, words[4])
        case 4 where words[0].hasSuffix(",") && words[3] == "GMT":  // RFC 850
            let parts = words[1].split(separator: "-").map(String.init)
            guard parts.count == 3, let d = Int(parts[0]), let m = monthNumber(parts[1]), let yy = Int(parts[2]) else {
                return nil
            }
            // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
            (day, month, year, time) = (d, m, yy < 100 ? (yy < 70 ? 2000 + yy : 1900 + yy) : yy, words[2])
        case 5:  // asctime
            guard let m = monthNumber(words[1]), let d = Int(words[2]), let y = Int(words[4]) else { return nil }
            (day, month, year, time) = (d, m, y, words[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
            (0...60).contains(clock[2]), (1970...9999).contains(year)
        else { return nil }
        let days = daysSince1970(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
