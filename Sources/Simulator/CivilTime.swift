import NIOCore

/// Calendar fields of an instant in a fixed-offset zone, for the exchanges that send local
/// date and time strings (Upbit in UTC, Bithumb in KST = UTC+9, no daylight saving).
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    /// Offset of Korea Standard Time from UTC, in hours.
    static let koreaOffsetHours = 9

    /// Splits `epochMilliseconds` into calendar fields at `offsetHours` from UTC.
    init(epochMilliseconds: Int64, offsetHours: Int) {
        let local = epochMilliseconds + Int64(offsetHours) * 3_600_000
        let days = Self.floorDivide(local, 86_400_000)
        let millisecondOfDay = Int(local - days * 86_400_000)
        (year, month, day) = Self.civilDate(fromDaysSinceEpoch: days)
        hour = millisecondOfDay / 3_600_000
        minute = millisecondOfDay / 60_000 % 60
        second = millisecondOfDay / 1_000 % 60
        millisecond = millisecondOfDay % 1_000
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
    static func civilDate(fromDaysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }
}

extension ByteBuffer {
    /// `yyyyMMdd`, as in Upbit's `trade_date` and Bithumb's `date`.
    mutating func writeCompactDate(_ time: CivilTime) {
        writeTriple(time.year, time.month, time.day, firstDigits: 4, separator: nil)
    }

    /// `HHmmss`, as in Upbit's `trade_time` and Bithumb's `time`.
    mutating func writeCompactTime(_ time: CivilTime) {
        writeTriple(time.hour, time.minute, time.second, firstDigits: 2, separator: nil)
    }

    /// `yyyy-MM-dd`, as in Upbit's `trade_date_utc`.
    mutating func writeDashedDate(_ time: CivilTime) {
        writeTriple(time.year, time.month, time.day, firstDigits: 4, separator: UInt8(ascii: "-"))
    }

    /// `HH:mm:ss`, as in Upbit's `trade_time_utc`.
    mutating func writeColonTime(_ time: CivilTime) {
        writeTriple(time.hour, time.minute, time.second, firstDigits: 2, separator: UInt8(ascii: ":"))
    }

    /// `yyyy-MM-dd HH:mm:ss.SSSSSS`, as in Bithumb legacy's `contDtm`; the last three
    /// microsecond digits are `extraMicroseconds` (0 ... 999).
    mutating func writeDateTimeWithMicroseconds(_ time: CivilTime, extraMicroseconds: Int) {
        self.writeDashedDate(time)
        self.writeInteger(UInt8(ascii: " "))
        self.writeColonTime(time)
        self.writeInteger(UInt8(ascii: "."))
        self.writeDecimalDigits(UInt64(time.millisecond), minimumDigits: 3)
        self.writeDecimalDigits(UInt64(max(0, min(999, extraMicroseconds))), minimumDigits: 3)
    }

    /// Three calendar fields, zero-padded (the first to `firstDigits`, the others to two), with
    /// `separator` between them when there is one.
    private mutating func writeTriple(_ first: Int, _ second: Int, _ third: Int, firstDigits: Int, separator: UInt8?) {
        self.writeDecimalDigits(UInt64(first), minimumDigits: firstDigits)
        if let separator { self.writeInteger(separator) }
        self.writeDecimalDigits(UInt64(second), minimumDigits: 2)
        if let separator { self.writeInteger(separator) }
        self.writeDecimalDigits(UInt64(third), minimumDigits: 2)
    }
}
