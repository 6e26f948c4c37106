import Foundation

/// A page of the repository's `docs/` folder, read by tests that keep a documented contract (the
/// metrics table, the configuration table) equal to the code that defines it.
public enum DocsPage {
    /// The text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` of `docs/PAGE`, trimmed.
    public static func markedSection(_ name: String, of page: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs").appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        let (begin, end) = ("<!-- \(name):begin -->", "<!-- \(name):end -->")
        guard let start = text.range(of: begin), let stop = text.range(of: end), start.upperBound <= stop.lowerBound else {
            throw MissingSection(description: "docs/\(page) lacks \(begin) … \(end)")
        }
        return text[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A marked section that is not there.
    public struct MissingSection: Error, CustomStringConvertible {
        public var description: String
    }
}
