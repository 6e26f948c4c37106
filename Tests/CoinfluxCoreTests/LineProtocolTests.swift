import CoinfluxCore
import Testing

/// Line-protocol encoding of awkward names and values. Each expected line is written by hand
/// from the InfluxDB 1.x line-protocol reference (measurement: `,` and space escaped; tag keys,
/// tag values, field keys: `,` `=` space escaped; string fields quoted with `"` and `\` escaped;
/// integers with `i`), plus the documented policies of `LineProtocol`. The same table is written
/// to a real InfluxDB and read back in `InfluxRoundTripTests`.
@Suite struct LineProtocolTests {
    /// Encodes one point into a fresh buffer; returns the text and the outcome.
    static func encode(
        _ measurement: LineProtocol.Measurement,
        at timestamp: Int64 = 1_700_000_000_000_000_000,
        _ build: (inout LineProtocol.Line) -> Void
    ) -> (String, LineProtocol.Outcome) {
        var buffer = LineProtocol.Buffer(capacity: 16)
        let outcome = buffer.append(measurement, timestampNanos: timestamp, build)
        return (String(decoding: buffer.bytes, as: UTF8.self), outcome)
    }

    @Test func nastyTableEncodesPerSpec() throws {
        for point in try NastyPoints.all() {
            let (text, outcome) = Self.encode(point.measurement, at: point.timestampNanos, point.build)
            #expect(text == point.expectedLine, "\(point.label)")
            #expect(outcome == .written(skippedFields: point.skippedFields), "\(point.label)")
        }
    }

    // MARK: Names

    @Test func measurementEscapesCommaAndSpaceOnly() throws {
        let name = "cpu load,x=y\"z"
        let measurement = try LineProtocol.Measurement(name)
        #expect(Self.encode(measurement) { $0.field("f", 1.0) }.0 == "cpu\\ load\\,x=y\"z f=1.0 1700000000000000000\n")
    }

    @Test func keysAndTagValuesEscapeCommaEqualsSpace() throws {
        let names = ["k ,=", "v ,=\"", "f ,=\""]
        let tagKey = try LineProtocol.Key(names[0])
        let tagValue = try LineProtocol.TagValue(names[1])
        let fieldKey = try LineProtocol.Key(names[2])
        let (text, _) = Self.encode("m") { line in
            line.tag(tagKey, tagValue)
            line.field(fieldKey, "s")
        }
        #expect(text == "m,k\\ \\,\\==v\\ \\,\\=\" f\\ \\,\\=\"=\"s\" 1700000000000000000\n")
    }

    @Test(arguments: [
        ("", LineProtocol.Rejection.empty),
        ("a\nb", .newline),
        ("#comment", .unsafeStart),
        ("\tleading-tab", .unsafeStart),
        ("ends\\", .backslashBeforeSpecial),
        ("a\\,b", .backslashBeforeSpecial),
        ("a\\ b", .backslashBeforeSpecial),
        ("a\\=b", .backslashBeforeSpecial),
        ("a\\\"b", .backslashBeforeSpecial),
    ])
    func invalidMeasurements(name: String, rejection: LineProtocol.Rejection) {
        #expect(throws: rejection) { try LineProtocol.Measurement(name) }
    }

    @Test(arguments: [
        ("", LineProtocol.Rejection.empty),
        ("time", .reservedKey),
        ("a\nb", .newline),
        ("ends\\", .backslashBeforeSpecial),
        ("a\\,b", .backslashBeforeSpecial),
    ])
    func invalidKeys(name: String, rejection: LineProtocol.Rejection) {
        #expect(throws: rejection) { try LineProtocol.Key(name) }
    }

    @Test func acceptedOddNames() throws {
        // `time` is refused as a key only; a backslash not before a special character is kept;
        // `#` and tab are fine after the first byte. (Variables, not literals: `Key("…")` with
        // a literal is the literal initializer, which traps instead of throwing.)
        let measurements = ["time", "a#\tb"]
        let keys = ["Time", "a\\b"]
        for name in measurements { _ = try LineProtocol.Measurement(name) }
        for name in keys { _ = try LineProtocol.Key(name) }
        let empty = ""
        _ = try LineProtocol.TagValue(empty)
        #expect(throws: LineProtocol.Rejection.newline) { try LineProtocol.TagValue("x\n") }
    }

    // MARK: Values and policies

    @Test func emptyTagValueIsOmitted() throws {
        let empty = try LineProtocol.TagValue("")
        let (text, outcome) = Self.encode("m") { line in
            line.tag("a", empty)
            line.tag("b", "")
            line.tag("c", "x")
            line.field("f", 1.0)
        }
        #expect(text == "m,c=x f=1.0 1700000000000000000\n")
        #expect(outcome == .written(skippedFields: 0))
    }

    @Test func nonFiniteFloatsAreSkippedAndCounted() {
        let (text, outcome) = Self.encode("m") { line in
            line.field("a", Double.nan)
            line.field("b", 2.5)
            line.field("c", Double.infinity)
            line.field("d", -Double.infinity)
            line.field("e", nil as Double?)
        }
        #expect(text == "m b=2.5 1700000000000000000\n")
        #expect(outcome == .written(skippedFields: 3))
    }

    @Test func lineWithoutFieldsIsNotWritten() {
        var buffer = LineProtocol.Buffer()
        buffer.append("m", timestampNanos: 1) { $0.field("f", 1.0) }
        let before = buffer.bytes
        let outcome = buffer.append("m", timestampNanos: 2) { line in
            line.tag("t", "x")
            line.field("a", Double.nan)
            line.field("b", Double.infinity)
        }
        #expect(outcome == .noFields(skippedFields: 2))
        #expect(!outcome.isWritten)
        #expect(buffer.bytes == before)
        #expect(buffer.lineCount == 1)
        #expect(buffer.append("m", timestampNanos: 3) { $0.tag("t", "x") } == .noFields(skippedFields: 0))
    }

    @Test func newlineRejectsTheLineAndLeavesTheBufferAsItWas() {
        var buffer = LineProtocol.Buffer()
        buffer.append("m", timestampNanos: 1) { $0.field("f", 1.0) }
        let before = buffer.bytes
        #expect(buffer.append("m", timestampNanos: 2) { line in
            line.tag("t", "a\nb")
            line.field("f", 1.0)
        } == .rejected(.newline))
        #expect(buffer.append("m", timestampNanos: 3) { line in
            line.field("f", 1.0)
            line.field("s", "two\nlines")
            line.field("g", 2.0)
        } == .rejected(.newline))
        #expect(buffer.bytes == before)
        #expect(buffer.lineCount == 1)
    }

    @Test func unrepresentableBackslashInATagValueRejectsTheLine() {
        #expect(Self.encode("m") { line in
            line.tag("t", "trailing\\")
            line.field("f", 1.0)
        }.1 == .rejected(.backslashBeforeSpecial))
        #expect(Self.encode("m") { line in
            line.tag("t", "a\\ b")
            line.field("f", 1.0)
        }.1 == .rejected(.backslashBeforeSpecial))
    }

    @Test func tagAfterFieldRejectsTheLine() {
        #expect(Self.encode("m") { line in
            line.field("f", 1.0)
            line.tag("t", "x")
        }.1 == .rejected(.tagAfterField))
        // Also after a skipped field: the order is wrong whatever the value.
        #expect(Self.encode("m") { line in
            line.field("f", Double.nan)
            line.tag("t", "x")
            line.field("g", 1.0)
        }.1 == .rejected(.tagAfterField))
    }

    @Test func integersBooleansAndStrings() {
        let (text, _) = Self.encode("m", at: -1) { line in
            line.field("i", 42)
            line.field("min", Int64.min)
            line.field("max", Int64.max)
            line.field("yes", true)
            line.field("no", false)
            line.field("empty", "")
            line.field("s", "a \"b\" \\c\\ ,=")
        }
        #expect(text == "m i=42i,min=-9223372036854775808i,max=9223372036854775807i,yes=true,no=false,empty=\"\",s=\"a \\\"b\\\" \\\\c\\\\ ,=\" -1\n")
    }

    // MARK: Buffer

    @Test func bufferCollectsLinesAndIsReusable() {
        var buffer = LineProtocol.Buffer(capacity: 8)
        for index in 0..<1000 {
            buffer.append("m", timestampNanos: Int64(index)) { line in
                line.tag("t", "x")
                line.field("f", Double(index))
            }
        }
        #expect(buffer.lineCount == 1000)
        let text = String(decoding: buffer.bytes, as: UTF8.self)
        #expect(text.hasPrefix("m,t=x f=0.0 0\nm,t=x f=1.0 1\n"))
        #expect(text.hasSuffix("m,t=x f=999.0 999\n"))
        #expect(buffer.count == buffer.bytes.count)
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.count == 0 && buffer.bytes.isEmpty)
        buffer.append("n", timestampNanos: 5) { $0.field("f", true) }
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "n f=true 5\n")
    }

    @Test func longStringFieldGrowsTheBuffer() {
        let long = String(repeating: "ab\"\\", count: 10_000)
        let expected = "m s=\"" + String(repeating: "ab\\\"\\\\", count: 10_000) + "\" 1\n"
        var buffer = LineProtocol.Buffer(capacity: 16)
        buffer.append("m", timestampNanos: 1) { $0.field("s", long) }
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
    }

    @Test func copiesAreIndependent() {
        var first = LineProtocol.Buffer()
        first.append("m", timestampNanos: 1) { $0.field("f", 1.0) }
        var second = first
        second.append("m", timestampNanos: 2) { $0.field("f", 2.0) }
        first.append("m", timestampNanos: 3) { $0.field("f", 3.0) }
        #expect(String(decoding: first.bytes, as: UTF8.self) == "m f=1.0 1\nm f=3.0 3\n")
        #expect(String(decoding: second.bytes, as: UTF8.self) == "m f=1.0 1\nm f=2.0 2\n")
    }

    @Test func withUnsafeBytesSeesTheLines() {
        var buffer = LineProtocol.Buffer()
        buffer.append("m", timestampNanos: 1) { $0.field("f", 1.0) }
        #expect(buffer.withUnsafeBytes { Array($0) } == Array("m f=1.0 1\n".utf8))
    }
}

/// The table of awkward points shared with the InfluxDB round trip: how each is built, what line
/// it must encode to, and what InfluxDB must give back.
struct NastyPoint: Sendable {
    /// A field value as InfluxDB stores it.
    enum Value: Sendable, Equatable {
        case float(Double)
        case integer(Int64)
        case string(String)
        case boolean(Bool)
    }

    var label: String
    var measurement: LineProtocol.Measurement
    /// Tags as written, empty values included (they must disappear).
    var tags: [(LineProtocol.Key, String)]
    /// Fields as written, non-finite floats included (they must disappear).
    var fields: [(LineProtocol.Key, Value)]
    var timestampNanos: Int64
    /// Hand-written from the spec.
    var expectedLine: String

    /// Tags InfluxDB must return.
    var storedTags: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in tags where !value.isEmpty { result[key.name] = value }
        return result
    }

    /// Fields InfluxDB must return.
    var storedFields: [String: Value] {
        var result: [String: Value] = [:]
        for (key, value) in fields {
            if case .float(let number) = value, !number.isFinite { continue }
            result[key.name] = value
        }
        return result
    }

    var skippedFields: Int { fields.count - storedFields.count }

    func build(_ line: inout LineProtocol.Line) {
        for (key, value) in tags { line.tag(key, value) }
        for (key, value) in fields {
            switch value {
            case .float(let number): line.field(key, number)
            case .integer(let number): line.field(key, number)
            case .string(let text): line.field(key, text)
            case .boolean(let flag): line.field(key, flag)
            }
        }
    }
}

enum NastyPoints {
    static let time: Int64 = 1_700_000_000_000_000_000

    // Each expected line below is the spec applied by hand to the values on the lines above it.
    static func all() throws -> [NastyPoint] {
        func key(_ name: String) throws -> LineProtocol.Key { try LineProtocol.Key(name) }
        return [
            NastyPoint(
                label: "plain",
                measurement: "nasty", tags: [(try key("case"), "plain")],
                fields: [(try key("value"), .float(1.5))],
                timestampNanos: time + 1,
                expectedLine: "nasty,case=plain value=1.5 1700000000000000001\n"
            ),
            NastyPoint(
                label: "commas, spaces and equals in tag keys, tag values and field keys",
                measurement: "nasty", tags: [(try key("case"), "separators"), (try key("tag ,=key"), "a b,c=d")],
                fields: [(try key("field ,=key"), .float(2.0))],
                timestampNanos: time + 2,
                expectedLine: "nasty,case=separators,tag\\ \\,\\=key=a\\ b\\,c\\=d field\\ \\,\\=key=2.0 1700000000000000002\n"
            ),
            NastyPoint(
                label: "quotes and backslashes",
                measurement: "nasty", tags: [(try key("case"), "quotes"), (try key("q\"k"), "say \"hi\""), (try key("path"), "C:\\dir\\file")],
                fields: [(try key("s"), .string("a \"quoted\" \\back\\slash\\")), (try key("f\"k"), .float(3.0))],
                timestampNanos: time + 3,
                expectedLine: "nasty,case=quotes,q\"k=say\\ \"hi\",path=C:\\dir\\file s=\"a \\\"quoted\\\" \\\\back\\\\slash\\\\\",f\"k=3.0 1700000000000000003\n"
            ),
            NastyPoint(
                label: "unicode",
                measurement: "nasty", tags: [(try key("case"), "unicode"), (try key("거래소"), "업비트 ₩"), (try key("emoji"), "🚀")],
                fields: [(try key("가격"), .float(143_250_000)), (try key("note"), .string("김치 프리미엄 3%, é"))],
                timestampNanos: time + 4,
                expectedLine: "nasty,case=unicode,거래소=업비트\\ ₩,emoji=🚀 가격=143250000.0,note=\"김치 프리미엄 3%, é\" 1700000000000000004\n"
            ),
            NastyPoint(
                label: "empty strings: empty tag omitted, empty string field kept",
                measurement: "nasty", tags: [(try key("case"), "empty"), (try key("gone"), "")],
                fields: [(try key("s"), .string("")), (try key("f"), .float(0))],
                timestampNanos: time + 5,
                expectedLine: "nasty,case=empty s=\"\",f=0.0 1700000000000000005\n"
            ),
            NastyPoint(
                label: "integers and booleans",
                measurement: "nasty", tags: [(try key("case"), "integers")],
                fields: [
                    (try key("zero"), .integer(0)), (try key("max"), .integer(.max)), (try key("min"), .integer(.min)),
                    (try key("yes"), .boolean(true)), (try key("no"), .boolean(false)),
                ],
                timestampNanos: time + 6,
                expectedLine: "nasty,case=integers zero=0i,max=9223372036854775807i,min=-9223372036854775808i,yes=true,no=false 1700000000000000006\n"
            ),
            NastyPoint(
                label: "floats: integral, negative zero, extremes, shortest forms",
                measurement: "nasty", tags: [(try key("case"), "floats")],
                fields: [
                    (try key("one"), .float(1)), (try key("negative_zero"), .float(-0.0)), (try key("tenth"), .float(0.1)),
                    (try key("sum"), .float(0.1 + 0.2)), (try key("huge"), .float(1.7976931348623157e308)),
                    (try key("tiny"), .float(.leastNonzeroMagnitude)), (try key("small"), .float(-1.5e-7)), (try key("big"), .float(1e21)),
                    (try key("price"), .float(67123.45)),
                ],
                timestampNanos: time + 7,
                expectedLine: "nasty,case=floats one=1.0,negative_zero=-0.0,tenth=0.1,sum=0.30000000000000004,huge=1.7976931348623157e+308,tiny=5e-324,small=-1.5e-07,big=1e+21,price=67123.45 1700000000000000007\n"
            ),
            NastyPoint(
                label: "NaN and infinities skipped",
                measurement: "nasty", tags: [(try key("case"), "nonfinite")],
                fields: [(try key("nan"), .float(.nan)), (try key("kept"), .float(-2.5)), (try key("inf"), .float(.infinity)), (try key("ninf"), .float(-.infinity))],
                timestampNanos: time + 8,
                expectedLine: "nasty,case=nonfinite kept=-2.5 1700000000000000008\n"
            ),
            NastyPoint(
                label: "tab and carriage return are ordinary",
                measurement: "nasty", tags: [(try key("case"), "whitespace"), (try key("ws"), "a\tb\rc")],
                fields: [(try key("s"), .string("x\ty\rz"))],
                timestampNanos: time + 9,
                expectedLine: "nasty,case=whitespace,ws=a\tb\rc s=\"x\ty\rz\" 1700000000000000009\n"
            ),
            NastyPoint(
                label: "measurement with comma, space, equals and quote",
                measurement: "odd, name=\"x\"", tags: [(try key("case"), "measurement")],
                fields: [(try key("f"), .float(-1))],
                timestampNanos: time + 10,
                expectedLine: "odd\\,\\ name=\"x\",case=measurement f=-1.0 1700000000000000010\n"
            ),
            NastyPoint(
                label: "negative timestamp (before 1970)",
                measurement: "nasty", tags: [(try key("case"), "negative-time")],
                fields: [(try key("f"), .float(1))],
                timestampNanos: -1_000_000_001,
                expectedLine: "nasty,case=negative-time f=1.0 -1000000001\n"
            ),
        ]
    }
}
