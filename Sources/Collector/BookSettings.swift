/// How the collector keeps order books. Every value has a default.
public struct BookSettings: Sendable {
    /// Levels per side kept in each published book. Default: 20.
    public var depth: Int
    /// Shortest time between two publishes of one market's book (the latest state goes out).
    /// Default: 250 ms.
    public var publishInterval: Duration
    /// A book with no message for this long is resynchronised. Default: 60 s.
    public var staleAfter: Duration

    public init(depth: Int = 20, publishInterval: Duration = .milliseconds(250), staleAfter: Duration = .seconds(60)) {
        self.depth = depth
        self.publishInterval = publishInterval
        self.staleAfter = staleAfter
    }
}
