import Foundation

/// Reads typed, validated values out of `Settings`, applying environment overrides, and
/// remembers which keys it read so that anything left over can be reported as unknown.
struct SettingsReader {
    private let file: Settings
    private let environment: [String: String]
    private let flags: Settings
    private(set) var knownKeys: Set<String> = []

    /// - Parameters:
    ///   - file: values from the YAML file.
    ///   - environment: the process environment; `COINFLUX_…` variables override the file.
    ///   - flags: values from `--set` flags; they override everything.
    init(file: Settings, environment: [String: String], flags: Settings) {
        self.file = file
        self.environment = environment
        self.flags = flags
    }

    /// The raw value of `key` with its origin: flags first, then the environment, then the file.
    private mutating func entry(_ key: String) -> Settings.Entry? {
        knownKeys.insert(key)
        if let entry = flags[key] { return entry }
        let variable = Settings.environmentName(for: key)
        if let value = environment[variable] {
            return Settings.Entry(value: .scalar(value), origin: "environment \(variable)")
        }
        return file[key]
    }

    private mutating func scalar(_ key: String) throws -> (text: String, origin: String)? {
        guard let entry = entry(key) else { return nil }
        guard case .scalar(let text) = entry.value else {
            throw ConfigurationError(key: key, origin: entry.origin, reason: "must be a single value, not a list or a mapping")
        }
        return (text.trimmingCharacters(in: .whitespaces), entry.origin)
    }

    mutating func string(_ key: String, default defaultValue: String, allowEmpty: Bool = false) throws -> String {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        if text.isEmpty && !allowEmpty {
            throw ConfigurationError(key: key, origin: origin, reason: "must not be empty")
        }
        return text
    }

    mutating func optionalString(_ key: String) throws -> String? {
        guard let (text, _) = try scalar(key), !text.isEmpty else { return nil }
        return text
    }

    mutating func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        guard let value = Int(text) else {
            throw ConfigurationError(key: key, origin: origin, reason: "\"\(text)\" is not an integer")
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, origin: origin, reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A floating-point value; `check` returns a reason when the value is not acceptable.
    mutating func double(_ key: String, default defaultValue: Double, check: (Double) -> String?) throws -> Double {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        guard let value = Double(text), value.isFinite else {
            throw ConfigurationError(key: key, origin: origin, reason: "\"\(text)\" is not a finite number")
        }
        if let reason = check(value) {
            throw ConfigurationError(key: key, origin: origin, reason: reason)
        }
        return value
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(key: key, origin: origin, reason: "\"\(text)\" is not a boolean (true/false)")
        }
    }

    /// A duration written as a number with a unit: `500ms`, `10s`, `5m`, `1h`.
    mutating func duration(_ key: String, default defaultValue: Duration) throws -> Duration {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        guard let value = Self.parseDuration(text) else {
            throw ConfigurationError(key: key, origin: origin, reason: "\"\(text)\" is not a duration like 500ms, 10s, 5m or 1h")
        }
        return value
    }

    /// A duration that must be longer than zero.
    mutating func positiveDuration(_ key: String, default defaultValue: Duration) throws -> Duration {
        let value = try duration(key, default: defaultValue)
        guard value > .zero else {
            throw ConfigurationError(key: key, origin: origin(of: key), reason: "must be longer than zero")
        }
        return value
    }

    /// A URL whose scheme is one of `schemes` and which names a host.
    mutating func url(_ key: String, default defaultValue: URL?, schemes: Set<String>) throws -> URL? {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        if text.isEmpty { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw ConfigurationError(key: key, origin: origin, reason: "\"\(text)\" is not a URL with a scheme and a host")
        }
        guard schemes.contains(scheme) else {
            throw ConfigurationError(key: key, origin: origin, reason: "scheme \"\(scheme)\" is not one of \(schemes.sorted().joined(separator: ", "))")
        }
        return url
    }

    /// A value from a closed set, e.g. an `Exchange` or an API version.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: T) throws -> T where T.RawValue == String {
        guard let (text, origin) = try scalar(key) else { return defaultValue }
        guard let value = T(rawValue: text.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: key, origin: origin, reason: "\"\(text)\" is not one of \(allowed)")
        }
        return value
    }

    /// A list: a YAML sequence, or a comma-separated string (environment, flags).
    mutating func list(_ key: String, default defaultValue: [String]) throws -> [String] {
        guard let entry = entry(key) else { return defaultValue }
        switch entry.value {
        case .list(let items): return items
        case .scalar(let text):
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .map:
            throw ConfigurationError(key: key, origin: entry.origin, reason: "must be a list, not a mapping")
        }
    }

    /// The origin of `key`'s value, for messages about values that parse but do not fit together.
    mutating func origin(of key: String) -> String? { entry(key)?.origin }

    mutating func map(_ key: String) throws -> [String: String] {
        guard let entry = entry(key) else { return [:] }
        guard case .map(let map) = entry.value else {
            throw ConfigurationError(key: key, origin: entry.origin, reason: "must be a mapping of names to values")
        }
        return map
    }

    /// Keys present in the file or flags that no reader asked for: misspelt or unsupported.
    func unknownKeys() -> [(key: String, origin: String)] {
        file.entries.merging(flags.entries) { _, flag in flag }
            .filter { !knownKeys.contains($0.key) }
            .map { ($0.key, $0.value.origin) }
            .sorted { $0.key < $1.key }
    }

    static func parseDuration(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Double(text.dropLast(unit.suffix.count)), number.isFinite, number >= 0 else { return nil }
            return .milliseconds(Int64((number * unit.seconds * 1000).rounded()))
        }
        return nil
    }
}
