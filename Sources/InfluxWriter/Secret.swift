/// A credential (token or password) that never shows up in descriptions, debug output, `dump`
/// or logs: every textual form is `<redacted>`, and it has no mirror children.
public struct Secret: Sendable, Hashable {
    /// The credential itself; read it only to build the `Authorization` header.
    public var value: String

    /// Wraps a credential.
    public init(_ value: String) {
        self.value = value
    }
}

extension Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension Secret: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
