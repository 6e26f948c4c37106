import Testing

@testable import InfluxWriter

@Suite("InfluxDB error text")
struct InfluxErrorMessageTests {
    func extract(_ body: String, header: String? = nil) -> String {
        InfluxErrorMessage.extract(body: Array(body.utf8), errorHeader: header)
    }

    @Test("1.x {\"error\"}, 2.x {\"message\"}, the X-Influxdb-Error header, then plain text")
    func sources() {
        #expect(extract(#"{"error":"partial write: field type conflict dropped=1"}"#) == "partial write: field type conflict dropped=1")
        #expect(extract(#"{"code":"invalid","message":"unable to parse 'x': missing fields"}"#) == "unable to parse 'x': missing fields")
        #expect(extract("", header: "authorization failed") == "authorization failed")
        #expect(extract("  <html>Bad Gateway</html>\n") == "<html>Bad Gateway</html>")
        #expect(extract("") == "")
    }

    @Test("long messages are truncated")
    func truncated() {
        let long = String(repeating: "x", count: 5000)
        let message = extract(#"{"error":"\#(long)"}"#)
        #expect(message.count == InfluxErrorMessage.maxLength + 1)
        #expect(message.hasSuffix("…"))
    }
}
