/// How a ``LineBatch`` ended: every line is either written (acknowledged with 2xx) or rejected.
public struct WriteOutcome: Sendable, Hashable {
    /// Lines the server acknowledged.
    public var writtenLines: Int
    /// Lines the server refused as bad, in batch order; dead-letter them.
    public var rejected: [RejectedLine]

    /// An outcome with the given counts.
    public init(writtenLines: Int = 0, rejected: [RejectedLine] = []) {
        self.writtenLines = writtenLines
        self.rejected = rejected
    }

    mutating func merge(_ other: WriteOutcome) {
        writtenLines += other.writtenLines
        rejected += other.rejected
    }
}

/// One line InfluxDB refused on its own (alone in a request, it still got 400, 413 or 422).
public struct RejectedLine: Sendable, Hashable {
    /// Its number in the batch given to ``InfluxWriter/write(_:)``.
    public var index: Int
    /// The line, without `\n`.
    public var line: [UInt8]
    /// The HTTP status of the refusal.
    public var status: Int
    /// InfluxDB's error text, e.g. `unable to parse '…': missing fields` or
    /// `partial write: field type conflict: … dropped=1`.
    public var reason: String

    /// A rejected line.
    public init(index: Int, line: [UInt8], status: Int, reason: String) {
        self.index = index
        self.line = line
        self.status = status
        self.reason = reason
    }
}
