/// Small JSON texts for the requests adapters send (subscriptions are built once per connection,
/// so plain `String`s are fine here).
enum JSONText {
    /// `text` as a JSON string literal, quotes included, with `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
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
    static func array(_ items: some Sequence<String>) -> String {
        "[" + items.map(quoted).joined(separator: ",") + "]"
    }
}
