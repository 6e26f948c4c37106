/// The 64-bit FNV-1a hash of a string's UTF-8 bytes: stable across runs and processes (unlike
/// `Hasher`), for trade ids kept as hashes and sub-millisecond trade timestamps.
public func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash
}
