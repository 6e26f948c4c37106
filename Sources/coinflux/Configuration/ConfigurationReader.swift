import Foundation

/// Reads typed, validated values of ``ConfigurationKey``s out of the raw settings — flags first,
/// then `COINFLUX_…` environment variables, then the file, then the key's default — and keeps
/// what it read: each key's effective value (for `coinflux config`) and which keys were asked
/// for, so anything left over is reported as unknown.
struct ConfigurationReader {
    private let file: RawSettings
    private let environment: [String: String]
    private let flags: RawSettings
    private(set) var knownKeys: Set<String> = []
    /// The effective value of every key read, as YAML, in reading order; secrets redacted.
    private(set) var effective: [(key: String, yaml: String)] = []

    /// - Parameters:
    ///   - file: values from the YAML file.
    ///   - environment: the process environment; `COINFLUX_…` variables override the file.
    ///   - flags: values from `--set` flags; they override everything.
    init(file: RawSettings, environment: [String: String], flags: RawSettings) {
        self.file = file
        self.environment = environment
        self.flags = flags
    }

    /// The value of `key`: set, or its default.
    /// - Throws: ``ConfigurationError`` naming the key, where its value came from and why it is refused.
    mutating func read<Value>(_ key: ConfigurationKey<Value>) throws -> Value {
        let value: Value
        if let entry = entry(key.name) {
            switch key.kind.read(entry.value) {
            case .success(let read): value = read
            case .failure(let failure): throw ConfigurationError(key: key.name, origin: entry.origin, reason: failure.reason)
            }
        } else {
            value = key.defaultValue(nil)
        }
        let text = key.kind.yaml(value)
        effective.append((key.name, key.isSecret && text != "\"\"" ? "<redacted>" : text))
        return value
    }

    /// Whether `key` was set (file, environment or flag) rather than left at its default.
    mutating func isSet<Value>(_ key: ConfigurationKey<Value>) -> Bool {
        entry(key.name) != nil
    }

    /// Where the value of `key` came from, for messages about values that parse but do not fit together.
    mutating func origin<Value>(of key: ConfigurationKey<Value>) -> String? {
        entry(key.name)?.origin
    }

    /// Keys present in the file or flags that no reader asked for: misspelt or unsupported.
    func unknownKeys() -> [(key: String, origin: String)] {
        file.entries.merging(flags.entries) { _, flag in flag }
            .filter { !knownKeys.contains($0.key) }
            .map { ($0.key, $0.value.origin) }
            .sorted { $0.key < $1.key }
    }

    /// The raw value of `key` with its origin: flags first, then the environment, then the file.
    private mutating func entry(_ key: String) -> RawSettings.Entry? {
        knownKeys.insert(key)
        if let entry = flags[key] { return entry }
        if RawSettings.mapKeys.contains(key) {
            return mapEntry(key)
        }
        let variable = RawSettings.environmentName(for: key)
        if let value = environment[variable] {
            return RawSettings.Entry(value: .scalar(value), origin: "environment \(variable)")
        }
        return file[key]
    }

    /// A map key's entries from the file, overridden one by one by `COINFLUX_<KEY>_<NAME>`
    /// variables (`COINFLUX_KAFKA_PROPERTIES_GROUP_INSTANCE_ID` → `group.instance.id`: lower
    /// case, underscores standing for dots).
    private func mapEntry(_ key: String) -> RawSettings.Entry? {
        let prefix = RawSettings.environmentName(for: key) + "_"
        let fromEnvironment = environment.filter { $0.key.hasPrefix(prefix) && $0.key.count > prefix.count }
        guard !fromEnvironment.isEmpty else { return file[key] }
        var map: [String: String] = [:]
        if case .map(let fileMap) = file[key]?.value { map = fileMap }
        for (variable, value) in fromEnvironment {
            map[variable.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: ".")] = value
        }
        let names = fromEnvironment.keys.sorted().joined(separator: ", ")
        return RawSettings.Entry(value: .map(map), origin: "environment \(names)")
    }
}
