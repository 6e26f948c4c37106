import Collector
import CoinfluxCore
import Foundation

/// One configuration key: its dotted name, its default and meaning as `docs/configuration.md`
/// shows them, and how its raw value becomes a typed one. Every key is declared once, in
/// ``ConfigurationKeys``; that table drives reading and validation, `coinflux config` and the
/// documentation table (a test keeps the docs equal to it).
///
/// A name with `<exchange>` stands for one key per exchange (``for(_:)``).
struct ConfigurationKey<Value: Sendable>: Sendable {
    let name: String
    /// The default as the docs show it (`127.0.0.1:9092`, `60s`, "the exchange's budget").
    let documentedDefault: String
    /// What the key does, one line for the docs table.
    let meaning: String
    /// Never printed: `coinflux config` shows `<redacted>`.
    let isSecret: Bool
    /// The value when the key is not set; per exchange for `<exchange>` keys.
    let defaultValue: @Sendable (Exchange?) -> Value
    let kind: ValueKind<Value>

    init(_ name: String, default defaultValue: Value, documented: String? = nil, _ kind: ValueKind<Value>, secret: Bool = false,
         _ meaning: String) {
        self.init(name, defaultFor: { _ in defaultValue }, documented: documented ?? kind.documented(defaultValue), kind,
                  secret: secret, meaning)
    }

    init(_ name: String, defaultFor defaultValue: @escaping @Sendable (Exchange?) -> Value, documented: String, _ kind: ValueKind<Value>,
         secret: Bool = false, _ meaning: String) {
        self.name = name
        self.documentedDefault = documented
        self.meaning = meaning
        self.isSecret = secret
        self.defaultValue = defaultValue
        self.kind = kind
    }

    /// The key of one exchange: `collector.<exchange>.symbols` → `collector.upbit.symbols`, with
    /// that exchange's default.
    func `for`(_ exchange: Exchange) -> ConfigurationKey<Value> {
        let defaultValue = self.defaultValue
        return ConfigurationKey(name.replacingOccurrences(of: "<exchange>", with: exchange.rawValue),
                                defaultFor: { _ in defaultValue(exchange) }, documented: documentedDefault, kind,
                                secret: isSecret, meaning)
    }

    /// The row this key adds to the documentation table.
    var documentation: ConfigurationKeys.Row {
        ConfigurationKeys.Row(name: name, documentedDefault: documentedDefault, meaning: meaning)
    }
}

/// Why a raw value was refused; `reason` completes "invalid configuration: KEY (from ORIGIN): …".
struct ReadFailure: Error {
    var reason: String
}
