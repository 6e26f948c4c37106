extension LineProtocol {
    /// The heap block behind a ``Buffer``: fixed capacity, freed with the last reference.
    ///
    /// Why not `[UInt8]`: a line is some twenty small pieces, and `Array`'s append machinery
    /// (uniqueness check, capacity check, span set-up) cost more than the encoding itself. Here a
    /// ``Line`` checks room with one comparison and writes through the pointer. Growth makes a
    /// new, larger block; nothing ever writes to a block that another ``Buffer`` value can see
    /// (``Buffer`` copies it first when it is shared).
    final class Storage: @unchecked Sendable {
        // @unchecked: both properties are immutable; the bytes behind `base` are written only
        // by the one Buffer (or its Line) that holds the sole reference.
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = Swift.max(capacity, 64)
            base = .allocate(capacity: self.capacity)
        }

        /// A new block with at least `capacity` bytes and a copy of the first `count` bytes.
        func copy(count: Int, capacity: Int) -> Storage {
            let copy = Storage(capacity: capacity)
            copy.base.initialize(from: base, count: count)
            return copy
        }

        deinit {
            base.deallocate()
        }
    }
}
