extension LineProtocol {
    /// A reusable byte buffer of encoded lines: a batch for one InfluxDB write.
    ///
    /// ```swift
    /// var batch = LineProtocol.Buffer()
    /// let outcome = batch.append(tickerMeasurement, timestampNanos: event.eventTimeNanos) { line in
    ///     line.tag(exchangeKey, exchangeTag)
    ///     line.field(priceKey, event.price)
    /// }
    /// // send batch.bytes (or use withUnsafeBytes), then:
    /// batch.removeAll()
    /// ```
    /// Every line ends with `\n` and contains no other line feed, so a writer may split the
    /// bytes at `\n` to isolate or halve lines. A value type: copies are independent.
    public struct Buffer: Sendable {
        private var storage: Storage
        /// Bytes written so far.
        public private(set) var count = 0
        /// How many lines the buffer holds.
        public private(set) var lineCount = 0

        /// An empty buffer.
        /// - Parameter capacity: Bytes to reserve up front; the buffer grows as needed and
        ///   keeps its size across ``removeAll()``. Default: 64 KiB.
        public init(capacity: Int = 64 * 1024) {
            storage = Storage(capacity: capacity)
        }

        /// True when no line has been appended since the last ``removeAll()``.
        public var isEmpty: Bool { lineCount == 0 }

        /// A copy of the encoded lines.
        public var bytes: [UInt8] {
            withUnsafeBytes { [UInt8]($0) }
        }

        /// Calls `body` with the encoded lines, without copying them.
        /// - Parameter body: Must not keep the pointer beyond the call.
        public func withUnsafeBytes<Result, Failure: Error>(
            _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            let bytes = UnsafeRawBufferPointer(start: storage.base, count: count)
            return try withExtendedLifetime(storage) { () throws(Failure) -> Result in try body(bytes) }
        }

        /// Empties the buffer, keeping its storage for the next batch.
        public mutating func removeAll() {
            count = 0
            lineCount = 0
        }

        /// Encodes one point and appends it as a line, unless it cannot be written.
        ///
        /// `build` adds the tags, then the fields. When the outcome is not
        /// ``Outcome/written(skippedFields:)`` the buffer is left exactly as it was.
        /// - Parameters:
        ///   - measurement: The measurement.
        ///   - timestampNanos: The point's time in nanoseconds since the epoch. Always written:
        ///     two writes of the same series and time overwrite each other, which is what makes
        ///     replays idempotent.
        ///   - build: Adds tags and fields to the line.
        /// - Returns: What happened to the line, for the caller's counters.
        @discardableResult
        public mutating func append(
            _ measurement: Measurement,
            timestampNanos: Int64,
            _ build: (inout Line) -> Void
        ) -> Outcome {
            if !isKnownUniquelyReferenced(&storage) {
                storage = storage.copy(count: count, capacity: storage.capacity)
            }
            var line = Line(storage: storage, count: count)
            line.write(measurement.escaped)
            build(&line)

            let outcome: Outcome
            if let rejection = line.rejection {
                outcome = .rejected(rejection)
            } else if line.fieldCount == 0 {
                outcome = .noFields(skippedFields: line.skippedFields)
            } else {
                line.writeTimestamp(timestampNanos)
                outcome = .written(skippedFields: line.skippedFields)
                count = line.count
                lineCount += 1
            }
            // Keep a grown block even when the line was dropped; its first `count` bytes are ours.
            storage = line.storage
            return outcome
        }
    }
}
