import Testing

@testable import InfluxWriter

@Suite("LineBatch")
struct LineBatchTests {
    func text(_ batch: LineBatch) -> String {
        String(decoding: batch.body.readableBytesView, as: UTF8.self)
    }

    @Test("bytes are split at newlines; a last line gets its newline; blank lines are skipped")
    func fromBytes() {
        let batch = LineBatch(bytes: Array("a x=1 1\nb x=2 2".utf8))
        #expect(batch.count == 2)
        #expect(text(batch) == "a x=1 1\nb x=2 2\n")
        #expect(batch.byteCount == 16)
        #expect(batch.line(at: 1) == Array("b x=2 2".utf8))

        let blanks = LineBatch(bytes: Array("\na x=1\n\n\nb x=2\n".utf8))
        #expect(blanks.count == 2)
        #expect(text(blanks) == "a x=1\nb x=2\n")
        #expect(LineBatch(bytes: []).isEmpty)
        #expect(LineBatch(bytes: Array("\n\n".utf8)).isEmpty)
    }

    @Test("appending lines with or without newline")
    func appending() {
        var batch = LineBatch()
        batch.append(line: Array("a x=1".utf8))
        batch.append(line: Array("b x=2\n".utf8))
        batch.append(line: [UInt8]())
        batch.append(line: Array("\n".utf8))
        #expect(batch == LineBatch(lines: ["a x=1", "b x=2"]))
        #expect(batch.indices == 0..<2)
    }

    @Test("halves keep the original numbering and share the bytes")
    func halves() {
        let batch = LineBatch(lines: sampleLines(5))
        let (first, second) = batch.halves()
        #expect(first.indices == 0..<2)
        #expect(second.indices == 2..<5)
        #expect(second.line(at: 4) == Array(sampleLines(5)[4].utf8))
        #expect(text(first) + text(second) == text(batch))
        let (left, right) = second.halves()
        #expect(left.indices == 2..<3)
        #expect(right.indices == 3..<5)
        #expect(text(right) == sampleLines(5)[3...].map { $0 + "\n" }.joined())
    }

    @Test("appending to a half copies it out and numbers from zero")
    func appendToHalf() {
        var (_, second) = LineBatch(lines: ["a x=1", "b x=2", "c x=3"]).halves()
        second.append(line: Array("d x=4".utf8))
        #expect(second.indices == 0..<3)
        #expect(text(second) == "b x=2\nc x=3\nd x=4\n")
    }

    @Test("chunks respect both bounds and cover the batch in order")
    func chunks() {
        let lines = sampleLines(1000)
        let batch = LineBatch(lines: lines)
        for (maxLines, maxBytes) in [(1000, .max), (100, .max), (7, .max), (1000, 4096), (50, 1000), (1, 1)] {
            let parts = batch.chunks(maxLines: maxLines, maxBytes: maxBytes)
            #expect(parts.map(\.count).reduce(0, +) == 1000)
            #expect(parts.map(text).joined() == text(batch))
            for part in parts {
                #expect(part.count <= maxLines)
                #expect(part.count == 1 || part.byteCount <= maxBytes)
            }
            #expect(parts.first?.indices.lowerBound == 0)
            #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.indices.upperBound == $1.indices.lowerBound })
        }
        #expect(LineBatch().chunks(maxLines: 10, maxBytes: 10).isEmpty)
    }
}
