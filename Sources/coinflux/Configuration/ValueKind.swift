import Collector
import CoinfluxCore
import Foundation

/// How a raw value (a scalar, a list or a mapping, from YAML, the environment or a flag) becomes
/// a typed value, and how a value is written back as YAML for `coinflux config`.
struct ValueKind<Value: Sendable>: Sendable {
    /// The value, or why the raw value is not acceptable.
    let read: @Sendable (RawSettings.Value) -> Result<Value, ReadFailure>
    /// The value as a YAML scalar or flow collection.
    let yaml: @Sendable (Value) -> String

    /// The default as the docs table shows it: its YAML text, unquoted; "empty" when there is none.
    func documented(_ value: Value) -> String {
        let text = yaml(value)
        if text == "\"\"" || text == "[]" || text == "{}" { return "empty" }
        return text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }

    /// A kind over a single value (not a list or a mapping), with surrounding spaces trimmed.
    static func scalar(_ parse: @escaping @Sendable (String) -> Result<Value, ReadFailure>, yaml: @escaping @Sendable (Value) -> String) -> ValueKind {
        ValueKind(read: { raw in
            guard case .scalar(let text) = raw else { return .failure(ReadFailure(reason: "must be a single value, not a list or a mapping")) }
            return parse(text.trimmingCharacters(in: .whitespaces))
        }, yaml: yaml)
    }

    /// This kind with a further check on the value; `check` returns the reason it is refused.
    func checked(_ check: @escaping @Sendable (Value) -> String?) -> ValueKind {
        let read = self.read
        return ValueKind(read: { raw in
            read(raw).flatMap { value in check(value).map { .failure(ReadFailure(reason: $0)) } ?? .success(value) }
        }, yaml: yaml)
    }
}

// MARK: The kinds of value

extension ValueKind where Value == String {
    /// Text that must not be empty.
    static var text: ValueKind {
        .scalar({ $0.isEmpty ? .failure(ReadFailure(reason: "must not be empty")) : .success($0) }, yaml: JSONText.quoted)
    }

    /// `host:port` with a port in 0...65535.
    static var hostPort: ValueKind {
        text.checked { isHostPort($0) ? nil : "\"\($0)\" is not host:port with a port in 0...65535" }
    }

    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]) else { return false }
        return (0...65535).contains(port)
    }
}

extension ValueKind where Value == String? {
    /// Text that may be left empty (nil).
    static var optionalText: ValueKind {
        .scalar({ .success($0.isEmpty ? nil : $0) }, yaml: { JSONText.quoted($0 ?? "") })
    }

    /// The path of a readable file, or empty (nil).
    static var optionalReadableFile: ValueKind {
        optionalText.checked { path in
            guard let path else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  FileManager.default.isReadableFile(atPath: path) else { return "\(path) is not a readable file" }
            return nil
        }
    }
}

extension ValueKind where Value == Int {
    /// An integer within `range`.
    static func integer(in range: ClosedRange<Int>) -> ValueKind {
        .scalar({ text in
            guard let value = Int(text) else { return .failure(ReadFailure(reason: "\"\(text)\" is not an integer")) }
            guard range.contains(value) else {
                return .failure(ReadFailure(reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)"))
            }
            return .success(value)
        }, yaml: { String($0) })
    }
}

extension ValueKind where Value == Double {
    /// A finite number within `(lower, upper]`.
    static func number(above lower: Double, upTo upper: Double) -> ValueKind {
        .scalar({ text in
            guard let value = Double(text), value.isFinite else { return .failure(ReadFailure(reason: "\"\(text)\" is not a finite number")) }
            guard value > lower, value <= upper else {
                return .failure(ReadFailure(reason: "\(text) is outside (\(formatted(lower)), \(formatted(upper))]"))
            }
            return .success(value)
        }, yaml: { formatted($0) })
    }

    /// `0.1`, `2.5`, `10`: the shortest text that reads back as the same number.
    static func formatted(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension ValueKind where Value == Bool {
    static var boolean: ValueKind {
        .scalar({ text in
            switch text.lowercased() {
            case "true", "yes", "on", "1": .success(true)
            case "false", "no", "off", "0": .success(false)
            default: .failure(ReadFailure(reason: "\"\(text)\" is not a boolean (true/false)"))
            }
        }, yaml: { $0 ? "true" : "false" })
    }
}

extension ValueKind where Value == Duration {
    /// A duration written `500ms`, `10s`, `5m`, `1h`; zero allowed.
    static var duration: ValueKind {
        .scalar({ text in
            guard let value = parseDuration(text) else {
                return .failure(ReadFailure(reason: "\"\(text)\" is not a duration like 500ms, 10s, 5m or 1h"))
            }
            return .success(value)
        }, yaml: durationText)
    }

    /// A duration longer than zero.
    static var positiveDuration: ValueKind {
        duration.checked { $0 > .zero ? nil : "must be longer than zero" }
    }
}

extension ValueKind where Value == [Duration] {
    /// A list of durations longer than zero.
    static var positiveDurations: ValueKind {
        ValueKind<[String]>.list.map(of: "a positive duration like 30s or 5m") { text in
            parseDuration(text).flatMap { $0 > .zero ? $0 : nil }
        } yaml: { durationText($0) }
    }
}

extension ValueKind where Value == URL? {
    /// A URL whose scheme is one of `schemes` and which names a host; empty means none.
    static func url(schemes: Set<String>) -> ValueKind {
        .scalar({ text in
            if text.isEmpty { return .success(nil) }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
                return .failure(ReadFailure(reason: "\"\(text)\" is not a URL with a scheme and a host"))
            }
            guard schemes.contains(scheme) else {
                return .failure(ReadFailure(reason: "scheme \"\(scheme)\" is not one of \(schemes.sorted().joined(separator: ", "))"))
            }
            return .success(url)
        }, yaml: { JSONText.quoted($0?.absoluteString ?? "") })
    }
}

extension ValueKind where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of a closed set of names (case-insensitive).
    static var choice: ValueKind {
        .scalar({ text in
            guard let value = Value(rawValue: text.lowercased()) else {
                return .failure(ReadFailure(reason: "\"\(text)\" is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            return .success(value)
        }, yaml: { $0.rawValue })
    }
}

/// `500ms`, `10s`, `5m`, `1h`, or nil.
func parseDuration(_ text: String) -> Duration? {
    let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for unit in units where text.hasSuffix(unit.suffix) {
        guard let number = Double(text.dropLast(unit.suffix.count)), number.isFinite, number >= 0 else { return nil }
        return .milliseconds(Int64((number * unit.seconds * 1000).rounded()))
    }
    return nil
}

/// The shortest exact form: `200ms`, `10s`, `5m`, `1h`.
func durationText(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    for (size, suffix) in [(Int64(3_600_000), "h"), (60_000, "m"), (1_000, "s")] where milliseconds != 0 && milliseconds % size == 0 {
        return "\(milliseconds / size)\(suffix)"
    }
    return "\(milliseconds)ms"
}
