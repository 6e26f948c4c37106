import Foundation
import Testing

@testable import ProcessorCore

@Suite("Dead letters")
struct DeadLetterTests {
    @Test("a dead letter is JSON with kind, reason, source and the payload as text")
    func deadLetterJSON() throws {
        let letter = DeadLetter(kind: .undecodable, reason: "missing field \"price\"",
                                source: .init(topic: "market.ticks", partition: 3, offset: 1234),
                                payload: Array("{\"v\":1,\n}".utf8) + [0xFF])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(letter.json.utf8)) as? [String: Any])
        #expect(object["v"] as? Int == 1)
        #expect(object["kind"] as? String == "undecodable")
        #expect(object["reason"] as? String == "missing field \"price\"")
        let source = try #require(object["source"] as? [String: Any])
        #expect(source["topic"] as? String == "market.ticks")
        #expect(source["partition"] as? Int == 3)
        #expect(source["offset"] as? Int == 1234)
        #expect(object["payload"] as? String == "{\"v\":1,\n}\u{FFFD}")
        #expect(object["payload_bytes"] as? Int == 10)
        #expect(object["truncated"] as? Bool == false)
        #expect(letter.key == "undecodable")
        #expect(DeadLetter.Kind.rejectedByInfluxDB.rawValue == "rejected_by_influxdb")
    }

    @Test("a payload over 64 KiB is cut there and marked, so the record fits in a Kafka message")
    func largePayloadTruncated() throws {
        let letter = DeadLetter(kind: .undecodable, reason: "not JSON", source: .init(topic: "t", partition: 0, offset: 1),
                                payload: Array(repeating: UInt8(ascii: "\""), count: 1_000_000))
        #expect(letter.json.utf8.count < 200_000)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(letter.json.utf8)) as? [String: Any])
        #expect((object["payload"] as? String)?.count == DeadLetter.maxPayloadBytes)
        #expect(object["payload_bytes"] as? Int == 1_000_000)
        #expect(object["truncated"] as? Bool == true)
    }
}
