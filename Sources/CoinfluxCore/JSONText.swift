/// Small JSON texts built as `String`s, for what is written rarely: the adapters' subscription
/// requests (once per connection) and the `/readyz` body. The hot paths write bytes instead.
public enum JSONText {
    /// `text` as a JSON string literal, quotes included, with `"`, `\` and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{00}"..<"\u{20}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `["a","b"]`.
    public static func array(_ items: some Sequence<String>) -> String {
        "[" + items.map(quoted).joined(separator: ",") + "]"
    }
}
