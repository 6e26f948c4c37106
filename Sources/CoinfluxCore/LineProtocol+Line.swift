extension LineProtocol {
    /// One line being built inside ``Buffer/append(_:timestampNanos:_:)``: tags first, then
    /// fields. Once something cannot be written the rest of the calls do nothing and the buffer
    /// drops the line.
    public struct Line {
        /// The buffer's block (replaced by a larger copy when the line needs more room).
        var storage: Storage
        /// Bytes of `storage` in use, this line's so far included.
        var count: Int
        var fieldCount = 0
        var skippedFields = 0
        var rejection: Rejection?

        init(storage: Storage, count: Int) {
            self.storage = storage
            self.count = count
        }

        // MARK: Tags

        /// Adds a tag with a pre-escaped value; an empty value omits the tag.
        public mutating func tag(_ key: Key, _ value: TagValue) {
            guard canAddTag(), !value.escaped.isEmpty else { return }
            let target = room(key.prefix.paddedCount + value.escaped.paddedCount)
            let keyLength = key.prefix.write(to: target)
            count += keyLength + value.escaped.write(to: target + keyLength)
        }

        /// Adds a tag, escaping `value` now; an empty value omits the tag. A value that cannot
        /// be written rejects the whole line.
        public mutating func tag(_ key: Key, _ value: String) {
            guard canAddTag(), !value.isEmpty else { return }
            write(key.prefix)
            var text = value
            text.withUTF8 { utf8 in
                // At worst every byte gets a backslash.
                let target = room(2 * utf8.count)
                switch writeEscaped(utf8, escapingEquals: true, to: target) {
                case .success(let length): count += length
                case .failure(let failure): rejection = failure
                }
            }
        }

        /// False when the line is already rejected or a tag comes too late (which rejects it).
        private mutating func canAddTag() -> Bool {
            guard rejection == nil else { return false }
            guard fieldCount == 0, skippedFields == 0 else {
                rejection = .tagAfterField
                return false
            }
            return true
        }

        // MARK: Fields

        /// Adds a float field; NaN and ±infinity are skipped (counted in the outcome).
        public mutating func field(_ key: Key, _ value: Double) {
            guard rejection == nil else { return }
            guard value.isFinite else {
                skippedFields += 1
                return
            }
            let target = room(key.prefix.paddedCount + maxShortestLength)
            let keyLength = writeFieldPrefix(key, to: target)
            count += keyLength + writeShortest(value, to: target + keyLength)
        }

        /// Adds a float field when `value` is present; nil adds nothing and is not counted.
        public mutating func field(_ key: Key, _ value: Double?) {
            if let value { field(key, value) }
        }

        /// Adds an integer field (`42i`).
        public mutating func field(_ key: Key, _ value: Int64) {
            guard rejection == nil else { return }
            let target = room(key.prefix.paddedCount + maxSignedDecimalLength + 1)
            var length = writeFieldPrefix(key, to: target)
            length += writeDecimal(value, to: target + length)
            target[length] = UInt8(ascii: "i")
            count += length + 1
        }

        /// Adds an integer field (`42i`).
        public mutating func field(_ key: Key, _ value: Int) {
            field(key, Int64(value))
        }

        /// Adds a boolean field (`true`/`false`).
        public mutating func field(_ key: Key, _ value: Bool) {
            guard rejection == nil else { return }
            let target = room(key.prefix.paddedCount + 5)
            var length = writeFieldPrefix(key, to: target)
            for byte in value ? "true".utf8 : "false".utf8 {
                target[length] = byte
                length += 1
            }
            count += length
        }

        /// Adds a string field, quoted, with `"` and `\` escaped. A line feed rejects the line.
        public mutating func field(_ key: Key, _ value: String) {
            guard rejection == nil else { return }
            var text = value
            text.withUTF8 { utf8 in
                // Quotes, and at worst a backslash before every byte.
                let target = room(key.prefix.paddedCount + 2 * utf8.count + 2)
                var length = writeFieldPrefix(key, to: target)
                target[length] = UInt8(ascii: "\"")
                length += 1
                for byte in utf8 {
                    switch byte {
                    case UInt8(ascii: "\n"):
                        rejection = .newline
                        return
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                        target[length] = UInt8(ascii: "\\")
                        length += 1
                    default:
                        break
                    }
                    target[length] = byte
                    length += 1
                }
                target[length] = UInt8(ascii: "\"")
                count += length + 1
            }
        }

        /// Writes `,key=`, or ` key=` for the line's first field, and counts the field; returns
        /// the length.
        @inline(__always)
        private mutating func writeFieldPrefix(_ key: Key, to target: UnsafeMutablePointer<UInt8>) -> Int {
            let length = key.prefix.write(to: target)
            if fieldCount == 0 { target[0] = UInt8(ascii: " ") }
            fieldCount += 1
            return length
        }

        // MARK: Raw writing

        /// A pointer to the end of the line with room for `needed` bytes.
        @inline(__always)
        mutating func room(_ needed: Int) -> UnsafeMutablePointer<UInt8> {
            if storage.capacity - count < needed {
                storage = storage.copy(count: count, capacity: Swift.max(2 * storage.capacity, count + needed))
            }
            return storage.base + count
        }

        /// Appends pre-escaped bytes.
        @inline(__always)
        mutating func write(_ bytes: PaddedBytes) {
            count += bytes.write(to: room(bytes.paddedCount))
        }

        /// Appends ` timestamp\n`.
        mutating func writeTimestamp(_ nanos: Int64) {
            let target = room(maxSignedDecimalLength + 2)
            target[0] = UInt8(ascii: " ")
            let length = 1 + writeDecimal(nanos, to: target + 1)
            target[length] = UInt8(ascii: "\n")
            count += length + 1
        }
    }
}
