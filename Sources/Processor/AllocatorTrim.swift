#if canImport(Glibc)
import Glibc
#endif

/// Gives the memory the allocator kept after a burst back to the system.
///
/// glibc's malloc keeps freed memory in per-thread arenas for reuse; after a burst (a warm-up's
/// re-read, which a broker may hand over in one fetch) the process keeps the burst's size as its
/// resident set, and further bursts served by other arenas add to it. glibc's `malloc_trim`
/// returns the free pages of every arena; it is looked up at run time (`<malloc.h>` is not part of
/// Swift's Glibc module), and where it does not exist nothing happens.
enum AllocatorTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    static func releaseFreeMemory() {
        _ = trim?(0)
    }
}
