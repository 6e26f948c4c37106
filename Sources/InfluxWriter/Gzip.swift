import CompressNIO
import NIOCore

/// Gzip for request bodies, through compress-nio (a thin layer over the system zlib).
enum Gzip {
    /// `body` gzipped at `level` (clamped to 1…9), or nil if zlib fails (out of memory), in which
    /// case the caller sends the body uncompressed.
    static func compress(_ body: ByteBuffer, level: Int) -> ByteBuffer? {
        var input = body
        let configuration = ZlibConfiguration(compressionLevel: Int32(min(max(level, 1), 9)))
        return try? input.compress(with: .gzip, configuration: configuration)
    }
}
