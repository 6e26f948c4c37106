// libFuzzer target `codec`: EventCodec.decode and JSONReader over arbitrary bytes.
// Built by `fuzz/run.sh codec [seconds]` together with Sources/CoinfluxCore/*.swift (one module,
// so no import); libFuzzer supplies `main`, hence `-parse-as-library`.
//
// Oracles, besides "no crash, no hang, no sanitizer report":
// - whatever EventCodec.decode accepts survives encode → decode unchanged, and so does a status
//   or FX record decodeRecord accepts;
// - every number JSONReader reads equals what the standard library's parsers make of the same text.

@_cdecl("LLVMFuzzerTestOneInput")
public func codecFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    checkCodecRoundTrip(bytes)
    checkRecordRoundTrip(bytes)
    _ = try? JSONReader.parse(bytes) { reader in try walk(&reader, in: bytes) }
    return 0
}

private func checkCodecRoundTrip(_ bytes: UnsafeRawBufferPointer) {
    guard let event = try? EventCodec.decode(bytes) else { return }
    let again: MarketEvent
    do {
        again = try EventCodec.decode(EventCodec.encode(event))
    } catch {
        fatalError("decoded event does not survive its round trip: \(error)\n\(event)")
    }
    guard again == event else { fatalError("round trip changed the event:\n\(event)\n\(again)") }
}

private func checkRecordRoundTrip(_ bytes: UnsafeRawBufferPointer) {
    guard let record = try? EventCodec.decodeRecord(bytes) else { return }
    switch record {
    case .status, .fx: break
    case .event, .gap, .book: return
    }
    var encoded: [UInt8] = []
    do {
        try EventCodec.encode(record, into: &encoded)
        let again = try encoded.withUnsafeBytes { buffer throws(EventCodec.DecodeError) in try EventCodec.decodeRecord(buffer) }
        guard again == record else { fatalError("round trip changed the record:\n\(record)\n\(again)") }
    } catch {
        fatalError("decoded record does not survive its round trip: \(error)\n\(record)")
    }
}

/// Reads every value of the document through the typed API, checking numbers against the stdlib.
private func walk(_ reader: inout JSONReader, in bytes: UnsafeRawBufferPointer) throws {
    switch try reader.peekKind() {
    case .object:
        try reader.beginObject()
        while let key = try reader.nextKey() {
            _ = try? key.string()
            // Leave every third value unread to exercise the automatic skip.
            if key.rawBytes.count % 3 != 0 { try walk(&reader, in: bytes) }
        }
    case .array:
        try reader.beginArray()
        while try reader.nextElement() { try walk(&reader, in: bytes) }
    case .string:
        let start = reader.offset
        var number = reader
        if let value = try? number.readDouble() { expectStdlibAgrees(value, bytes, (start + 1)..<(number.offset - 1)) }
        _ = try reader.readString()
    case .number:
        let start = reader.offset
        var integer = reader
        if let value = try? integer.readInt64() {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<integer.offset]), as: UTF8.self)
            guard Int64(text) == value else { fatalError("readInt64 \(text) gave \(value)") }
        }
        let value = try reader.readDouble()
        expectStdlibAgrees(value, bytes, start..<reader.offset)
    case .bool:
        _ = try reader.readBool()
    case .null:
        _ = try reader.consumeNull()
    }
}

/// Stops the fuzzer unless `Double(String)` reads the number text at `range` to exactly `value`.
private func expectStdlibAgrees(_ value: Double, _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    guard let expected = Double(text), expected.bitPattern == value.bitPattern else {
        fatalError("readDouble \(text) gave \(value), Double(String) gives \(String(describing: Double(text)))")
    }
}
