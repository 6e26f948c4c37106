/// Wall-clock dates and times as the Korean exchanges write them, in a fixed offset from UTC,
/// turned into nanoseconds since the epoch.
///
/// Accepted: dates `yyyyMMdd` or `yyyy-MM-dd`; times `HHmmss` or `HH:mm:ss`, the latter optionally
/// followed by `.` and 1 to 9 fraction digits (Bithumb legacy `contDtm` has microseconds). Years
/// 1970 to 2262 (the range of nanoseconds in `Int64`); invalid calendar dates do not parse.
enum CivilTimestamp {
    /// Korea Standard Time, UTC+9 (no daylight saving time).
    static let koreaOffsetSeconds: Int64 = 9 * 3_600

    /// A date string and a time string, local to `offsetSeconds` east of UTC.
    static func nanoseconds(date: UnsafeRawBufferPointer, time: UnsafeRawBufferPointer, offsetSeconds: Int64) -> Int64? {
        guard let day = days(date), let (seconds, fraction) = secondsOfDay(time) else { return nil }
        return combine(days: day, seconds: seconds, fraction: fraction, offsetSeconds: offsetSeconds)
    }

    /// `yyyy-MM-dd HH:mm:ss[.ffffff]`, local to `offsetSeconds` east of UTC.
    static func nanoseconds(dateTime: UnsafeRawBufferPointer, offsetSeconds: Int64) -> Int64? {
        guard let space = dateTime.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        return nanoseconds(
            date: UnsafeRawBufferPointer(rebasing: dateTime[..<space]),
            time: UnsafeRawBufferPointer(rebasing: dateTime[(space + 1)...]),
            offsetSeconds: offsetSeconds
        )
    }

    private static func combine(days: Int64, seconds: Int64, fraction: Int64, offsetSeconds: Int64) -> Int64? {
        let epochSeconds = days * 86_400 + seconds - offsetSeconds
        let (whole, overflow) = epochSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, carry) = whole.addingReportingOverflow(fraction)
        guard epochSeconds >= 0, !overflow, !carry else { return nil }
        return total
    }

    /// Days since 1970-01-01 of `yyyyMMdd` or `yyyy-MM-dd`.
    private static func days(_ text: UnsafeRawBufferPointer) -> Int64? {
        let fields: (year: Int64?, month: Int64?, day: Int64?)
        switch text.count {
        case 8:
            fields = (number(text, 0, 4), number(text, 4, 2), number(text, 6, 2))
        case 10 where text[4] == UInt8(ascii: "-") && text[7] == UInt8(ascii: "-"):
            fields = (number(text, 0, 4), number(text, 5, 2), number(text, 8, 2))
        default:
            return nil
        }
        guard let year = fields.year, let month = fields.month, let day = fields.day,
              (1970...2262).contains(year), (1...12).contains(month),
              day >= 1, day <= daysInMonth(month, year: year)
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day)
    }

    /// Seconds into the day and the fraction in nanoseconds of `HHmmss` or `HH:mm:ss[.f…]`.
    private static func secondsOfDay(_ text: UnsafeRawBufferPointer) -> (Int64, Int64)? {
        let fields: (hour: Int64?, minute: Int64?, second: Int64?)
        var fraction: Int64 = 0
        if text.count == 6 {
            fields = (number(text, 0, 2), number(text, 2, 2), number(text, 4, 2))
        } else if text.count >= 8, text[2] == UInt8(ascii: ":"), text[5] == UInt8(ascii: ":") {
            fields = (number(text, 0, 2), number(text, 3, 2), number(text, 6, 2))
            if text.count > 8 {
                let digits = text.count - 9
                guard text[8] == UInt8(ascii: "."), (1...9).contains(digits), let value = number(text, 9, digits) else { return nil }
                fraction = value
                for _ in digits..<9 { fraction *= 10 }
            }
        } else {
            return nil
        }
        guard let hour = fields.hour, let minute = fields.minute, let second = fields.second,
              hour < 24, minute < 60, second < 60
        else { return nil }
        return (hour * 3_600 + minute * 60 + second, fraction)
    }

    /// The decimal number written with exactly `count` digits at `start`.
    private static func number(_ text: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for index in start..<(start + count) {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    private static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's `days_from_civil` (proleptic Gregorian calendar).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
