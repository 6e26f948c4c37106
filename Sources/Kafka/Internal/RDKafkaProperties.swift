// The one place where configuration values become librdkafka properties.

extension KafkaProducerConfiguration {
    func rdKafkaProperties(withStatistics: Bool) -> [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            "enable.idempotence": String(isIdempotent),
            "acks": "all",
            "compression.codec": compression.description,
            "linger.ms": String(linger.rdKafkaMilliseconds),
            "max.in.flight.requests.per.connection": String(maximumInFlightRequests),
            "queue.buffering.max.messages": String(maximumQueuedMessages),
            "queue.buffering.max.kbytes": String(maximumQueuedKilobytes),
            "message.timeout.ms": String(deliveryTimeout.rdKafkaMilliseconds),
        ]
        if withStatistics, let interval = statisticsInterval {
            properties["statistics.interval.ms"] = String(interval.rdKafkaMilliseconds)
        }
        properties.merge(additionalProperties) { _, additional in additional }
        return properties
    }
}

extension KafkaConsumerConfiguration {
    func rdKafkaProperties(withStatistics: Bool) -> [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            "group.id": groupID,
            "auto.offset.reset": autoOffsetReset.description,
            "enable.auto.commit": String(isAutoCommitEnabled),
            "enable.auto.offset.store": "false",
            "session.timeout.ms": String(sessionTimeout.rdKafkaMilliseconds),
            "heartbeat.interval.ms": String(heartbeatInterval.rdKafkaMilliseconds),
            "max.poll.interval.ms": String(maximumPollInterval.rdKafkaMilliseconds),
            "queued.max.messages.kbytes": String(maximumQueuedKilobytes),
            "fetch.error.backoff.ms": String(fetchBackoff.rdKafkaMilliseconds),
            // Resting needs to know where a partition that returned nothing yet ends.
            "enable.partition.eof": String(caughtUpPause > .zero),
        ]
        if withStatistics, let interval = statisticsInterval {
            properties["statistics.interval.ms"] = String(interval.rdKafkaMilliseconds)
        }
        properties.merge(additionalProperties) { _, additional in additional }
        return properties
    }
}

extension KafkaAdminConfiguration {
    var rdKafkaProperties: [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
        ]
        properties.merge(additionalProperties) { _, additional in additional }
        return properties
    }
}

extension Duration {
    /// Whole milliseconds, clamped to librdkafka's `int` range (negative becomes 0).
    var rdKafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return Int32(min(max(milliseconds.rounded(.up), 0), Double(Int32.max)))
    }
}
