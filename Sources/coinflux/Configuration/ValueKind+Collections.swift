import Collector
import CoinfluxCore
import Foundation

extension ValueKind where Value == [String] {
    /// A list: a YAML sequence, or a comma-separated string (environment, flags).
    static var list: ValueKind {
        ValueKind(read: { raw in
            switch raw {
            case .list(let items): .success(items)
            case .scalar(let text):
                .success(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            case .map: .failure(ReadFailure(reason: "must be a list, not a mapping"))
            }
        }, yaml: { "[" + $0.map(JSONText.quoted).joined(separator: ", ") + "]" })
    }

    /// A list whose items each become an `Item`; `item` returns nil for one that does not, named
    /// as not being `expected`.
    func map<Item: Sendable>(of expected: String, _ item: @escaping @Sendable (String) -> Item?,
                             yaml: @escaping @Sendable (Item) -> String) -> ValueKind<[Item]> {
        let read = self.read
        return ValueKind<[Item]>(read: { raw in
            read(raw).flatMap { texts in
                var items: [Item] = []
                for text in texts {
                    guard let value = item(text) else { return .failure(ReadFailure(reason: "\"\(text)\" is not \(expected)")) }
                    items.append(value)
                }
                return .success(items)
            }
        }, yaml: { "[" + $0.map(yaml).joined(separator: ", ") + "]" })
    }
}

extension ValueKind where Value == [Symbol] {
    /// Normalized symbols (`BTC-USDT`), each once: a symbol listed twice (in any case) would be
    /// subscribed twice and its events counted twice.
    static var symbols: ValueKind {
        ValueKind<[String]>.list.map(of: "a symbol of the form BASE-QUOTE (e.g. BTC-USDT)") { Symbol(normalized: $0) } yaml: { $0.description }
            .checked { symbols in
                var seen: Set<Symbol> = []
                return symbols.first { !seen.insert($0).inserted }.map { "\($0) is listed more than once" }
            }
    }
}

extension ValueKind where Value == MarketSelection {
    /// A symbol list (``ValueKind/symbols``), `all`, or `top:N` with N in 1...``maximumTop``.
    static var marketSelection: ValueKind {
        let symbols = ValueKind<[Symbol]>.symbols
        return ValueKind(read: { raw in
            if case .scalar(let text) = raw {
                let word = text.trimmingCharacters(in: .whitespaces).lowercased()
                if word == "all" { return .success(.all) }
                if word.hasPrefix("top:") {
                    guard let count = Int(word.dropFirst(4).trimmingCharacters(in: .whitespaces)) else {
                        return .failure(ReadFailure(reason: "\"\(text)\" is not top:N with a whole number N (e.g. top:20)"))
                    }
                    guard (1...maximumTop).contains(count) else {
                        return .failure(ReadFailure(reason: "top:\(count) is outside top:1...top:\(maximumTop)"))
                    }
                    return .success(.top(count))
                }
            }
            return symbols.read(raw).map(MarketSelection.symbols)
        }, yaml: { selection in
            switch selection {
            case .symbols(let list): symbols.yaml(list)
            case .all: "all"
            case .top(let count): JSONText.quoted("top:\(count)")
            }
        })
    }

    /// Most markets `top:N` takes.
    static var maximumTop: Int { 4_096 }
}

extension ValueKind where Value == [String] {
    /// Currency codes (`USDT`, `KRW`), upper-cased, at least one, each once.
    static var currencies: ValueKind {
        list.map(of: "a currency code of letters and digits (e.g. USDT)") { text in
            text.isEmpty || !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? nil : text.uppercased()
        } yaml: { JSONText.quoted($0) }
        .checked { codes in
            if codes.isEmpty { return "must name at least one currency" }
            var seen: Set<String> = []
            return codes.first { !seen.insert($0).inserted }.map { "\($0) is listed more than once" }
        }
    }
}

extension ValueKind where Value == [String: String] {
    /// A free-form mapping of names to plain values (librdkafka properties). Values of names
    /// that say `password` or `secret` are written as `<redacted>`.
    static var properties: ValueKind {
        ValueKind(read: { raw in
            guard case .map(let map) = raw else { return .failure(ReadFailure(reason: "must be a mapping of names to values")) }
            return .success(map)
        }, yaml: { map in
            let entries = map.sorted { $0.key < $1.key }.map { name, value in
                let secret = name.contains("password") || name.contains("secret")
                return "\(JSONText.quoted(name)): \(secret ? "<redacted>" : JSONText.quoted(value))"
            }
            return "{" + entries.joined(separator: ", ") + "}"
        })
    }
}
