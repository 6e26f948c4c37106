/// InfluxDB line protocol (1.x `/write`, 2.x `/api/v2/write`), encoded straight into bytes.
///
/// One point is one line:
/// `measurement[,tag_key=tag_value…] field_key=field_value[,…] timestamp\n`.
/// Names are escaped once, when a ``Measurement``, ``Key`` or ``TagValue`` is created; the hot
/// path (``Buffer/append(_:timestampNanos:_:)``) only copies their bytes and formats numbers.
///
/// Escaping follows the line-protocol reference:
/// - measurement: `,` and space are escaped with `\`;
/// - tag keys, tag values, field keys: `,`, `=` and space are escaped with `\`;
/// - string field values: quoted, `"` and `\` escaped with `\`;
/// - integers carry an `i` suffix, floats are the shortest text that reads back exactly
///   (`1.0`, `0.1`, `1e+16`), booleans are `true`/`false`; timestamps are nanoseconds.
///
/// What line protocol cannot carry, and what this encoder does instead (each case was tried by
/// hand against InfluxDB 1.6.7; everything that is written is asserted by
/// `InfluxRoundTripTests` against a real server):
/// - **Newline** (`\n`) in a measurement, key, tag value or string field: rejected
///   (``Rejection/newline``). Names and tags cannot hold one at all; 1.6 happens to accept one
///   inside a quoted string field, but the reference declares it unsupported, and keeping every
///   encoded line free of inner newlines lets a writer split a batch at `\n` (to isolate a bad
///   line or halve a batch) without parsing it. Carriage return and tab are ordinary
///   characters (round-tripped).
/// - **Backslash**: InfluxDB 1.x has no escape for `\` in names (`\\` is stored as two
///   backslashes), so it is written as is and stored as is; but a backslash at the end of a
///   name or right before `,` `=` space or `"` would be read as an escape (1.6 answers 400, or
///   silently merges the next tag into the measurement), so such text is rejected
///   (``Rejection/backslashBeforeSpecial``).
/// - **Empty tag value**: the tag is omitted (InfluxDB refuses empty tag values).
/// - **Empty measurement or key**, and the key `time` (refused by InfluxDB 1.x): rejected when
///   the name is created.
/// - A measurement starting with `#` (read as a comment line, silently dropped by InfluxDB) or
///   a tab (skipped as leading whitespace): rejected (``Rejection/unsafeStart``).
/// - **NaN and ±infinity** float fields: skipped and counted in the ``Outcome``; a line left
///   without fields is not written (``Outcome/noFields(skippedFields:)``).
/// - **Negative zero** is written as `-0.0`; InfluxDB 1.6 stores it with its sign and returns it
///   as `-0` in query results.
public enum LineProtocol {}

extension LineProtocol {
    /// Why a name, a value or a whole line cannot be written.
    public enum Rejection: Error, Sendable, Hashable {
        /// A measurement or key is empty.
        case empty
        /// The text contains a line feed.
        case newline
        /// A backslash ends the text or precedes `,`, `=`, space or `"`; InfluxDB 1.x would read
        /// it as an escape.
        case backslashBeforeSpecial
        /// A measurement starts with `#` (a comment line) or a tab (skipped whitespace).
        case unsafeStart
        /// The key `time`, which InfluxDB refuses as a tag or field key.
        case reservedKey
        /// A tag was added after a field; tags must come first.
        case tagAfterField
    }

    /// What ``Buffer/append(_:timestampNanos:_:)`` did with one point.
    public enum Outcome: Sendable, Hashable {
        /// The line was appended; `skippedFields` non-finite float fields were left out of it.
        case written(skippedFields: Int)
        /// Nothing was appended: no field was left to write (a point needs at least one);
        /// `skippedFields` of them were non-finite floats.
        case noFields(skippedFields: Int)
        /// Nothing was appended: a tag value or string field cannot be represented, or the line
        /// was built in the wrong order.
        case rejected(Rejection)

        /// True when the line is in the buffer.
        public var isWritten: Bool {
            if case .written = self { return true }
            return false
        }
    }
}
