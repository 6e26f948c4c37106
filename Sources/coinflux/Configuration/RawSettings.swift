import Foundation
import Yams

/// Raw configuration values by dotted key (`kafka.brokers`), gathered from a YAML file and
/// `--set key=value` flags, before they are typed and checked by `ConfigurationReader`.
///
/// Precedence, lowest first: built-in defaults, the YAML file, environment variables
/// (`COINFLUX_` + the key upper-cased with `.` → `_`), `--set` flags.
struct RawSettings {
    /// A raw value: one scalar, a list of scalars, or (for map keys) names to scalars.
    enum Value: Equatable, Sendable {
        case scalar(String)
        case list([String])
        case map([String: String])
    }

    /// One raw value and where it came from (for error messages).
    struct Entry {
        var value: Value
        var origin: String
    }

    /// Keys whose value is a free-form map of strings (e.g. librdkafka properties).
    static let mapKeys: Set<String> = ["kafka.properties"]

    private(set) var entries: [String: Entry] = [:]

    init() {}

    /// Parses a YAML document. Nested mappings become dotted keys; sequences of scalars become lists.
    init(yaml: String, origin: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            // One line: Yams adds the offending line and a caret below it.
            let lines = "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            throw ConfigurationError(key: nil, origin: origin, reason: "not valid YAML: " + lines.filter { $0 != "^" }.joined(separator: " | "))
        }
        // An empty file is a mistake (a mount or a template that went wrong), not "all defaults":
        // without --config coinflux runs on its defaults.
        guard let root else {
            throw ConfigurationError(key: nil, origin: origin, reason: "the file is empty (without --config coinflux uses its defaults)")
        }
        guard case .mapping = root else {
            throw ConfigurationError(key: nil, origin: origin, reason: "the top level must be a mapping of sections")
        }
        try flatten(root, path: "", origin: origin)
    }

    /// Applies one `key=value` flag; for map keys `kafka.properties.linger.ms=5` sets one map entry.
    mutating func apply(assignment: String, origin: String) throws {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw ConfigurationError(key: nil, origin: origin, reason: "expected KEY=VALUE, got \"\(assignment)\"")
        }
        let key = String(assignment[..<equals])
        let value = String(assignment[assignment.index(after: equals)...])
        if let mapKey = RawSettings.mapKeys.first(where: { key.hasPrefix($0 + ".") }) {
            let entryKey = String(key.dropFirst(mapKey.count + 1))
            var map: [String: String] = [:]
            if case .map(let existing) = entries[mapKey]?.value { map = existing }
            map[entryKey] = value
            entries[mapKey] = Entry(value: .map(map), origin: origin)
        } else {
            entries[key] = Entry(value: .scalar(value), origin: origin)
        }
    }

    subscript(key: String) -> Entry? { entries[key] }

    /// The environment variable that overrides `key`: `kafka.ticks_topic` → `COINFLUX_KAFKA_TICKS_TOPIC`.
    static func environmentName(for key: String) -> String {
        "COINFLUX_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    private mutating func flatten(_ node: Node, path: String, origin: String) throws {
        switch node {
        case .mapping(let mapping):
            if RawSettings.mapKeys.contains(path) {
                var map: [String: String] = [:]
                for (key, value) in mapping {
                    guard let name = key.string, let text = value.string else {
                        throw ConfigurationError(key: path, origin: origin, reason: "must map names to plain values")
                    }
                    map[name] = text
                }
                entries[path] = Entry(value: .map(map), origin: origin)
                return
            }
            for (key, value) in mapping {
                guard let name = key.string, !name.isEmpty else {
                    throw ConfigurationError(key: path.isEmpty ? nil : path, origin: origin, reason: "keys must be non-empty strings")
                }
                try flatten(value, path: path.isEmpty ? name : "\(path).\(name)", origin: origin)
            }
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard let text = item.string else {
                    throw ConfigurationError(key: path, origin: origin, reason: "list items must be plain values")
                }
                items.append(text)
            }
            entries[path] = Entry(value: .list(items), origin: origin)
        case .scalar(let scalar):
            entries[path] = Entry(value: .scalar(scalar.string), origin: origin)
        case .alias:
            throw ConfigurationError(key: path, origin: origin, reason: "YAML aliases are not supported")
        }
    }
}

/// An invalid configuration: names the key, where its value came from and what is wrong.
/// The executable prints it and exits with status 2.
struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    var key: String?
    var origin: String?
    var reason: String

    var description: String {
        var text = "invalid configuration"
        if let key { text += ": \(key)" }
        if let origin { text += " (from \(origin))" }
        return text + ": " + reason
    }
}
