extension CoinfluxConfiguration {
    /// The effective configuration as YAML with the keys the file takes, every key present (set
    /// or default); secrets show as `<redacted>`. Without the redacted lines it loads back as the
    /// same configuration.
    func effectiveSummary() -> String {
        var lines: [String] = []
        var openSections: [Substring] = []
        for (key, yaml) in effective {
            let path = key.split(separator: ".")
            let sections = path.dropLast()
            var depth = 0
            while depth < min(openSections.count, sections.count), openSections[depth] == sections[sections.startIndex + depth] {
                depth += 1
            }
            openSections = Array(openSections.prefix(depth))
            for section in sections.dropFirst(depth) {
                lines.append(String(repeating: "  ", count: openSections.count) + section + ":")
                openSections.append(section)
            }
            lines.append(String(repeating: "  ", count: openSections.count) + "\(path.last ?? ""): \(yaml)")
        }
        return lines.joined(separator: "\n")
    }
}
