import CoinfluxCore
import Kafka
import ProcessorCore

extension KafkaMessage {
    /// The message as the processor takes it: its position, its timestamp, and the record (market
    /// event or gap record) it carries or why it carries none (with its bytes, for the dead letters).
    func sourceMessage() -> SourceMessage {
        let record = value.withUnsafeBytes { bytes -> Result<MarketRecord, Undecodable> in
            do throws(EventCodec.DecodeError) {
                return .success(try EventCodec.decodeRecord(bytes))
            } catch {
                return .failure(Undecodable(reason: error.description, payload: Array(bytes)))
            }
        }
        return SourceMessage(position: MessagePosition(partition: partition, offset: offset),
                             timeNanos: timestampMilliseconds.map { Int64($0) * 1_000_000 }, record: record)
    }
}
