import CoinfluxCore
import Exchanges

extension CoinfluxConfiguration {
    /// The effective configuration as YAML with the same keys the file takes; secrets show as `<redacted>`.
    func effectiveSummary() -> String {
        func secret(_ value: String?) -> String { value == nil ? "\"\"" : "<redacted>" }
        func text(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "\"\"" }
        func seconds(_ duration: Duration) -> String {
            let (whole, attoseconds) = duration.components
            return "\(Int64(whole) * 1000 + attoseconds / 1_000_000_000_000_000)ms"
        }
        var lines: [String] = []
        lines.append("kafka:")
        lines.append("  brokers: \(text(kafka.brokers))")
        lines.append("  ticks_topic: \(text(kafka.ticksTopic))")
        lines.append("  fx_topic: \(text(kafka.fxTopic))")
        lines.append("  deadletter_topic: \(text(kafka.deadLetterTopic))")
        lines.append("  partitions: \(kafka.partitions)")
        lines.append("  caught_up_pause: \(seconds(kafka.caughtUpPause))")
        lines.append("  properties:" + (kafka.properties.isEmpty ? " {}" : ""))
        for (name, value) in kafka.properties.sorted(by: { $0.key < $1.key }) {
            let isSecret = name.contains("password") || name.contains("secret")
            lines.append("    \(name): \(isSecret ? "<redacted>" : text(value))")
        }
        lines.append("influxdb:")
        lines.append("  url: \(text(influxDB.url?.absoluteString))")
        lines.append("  api: \(influxDB.api.rawValue)")
        lines.append("  database: \(text(influxDB.database))")
        lines.append("  retention_policy: \(text(influxDB.retentionPolicy))")
        lines.append("  org: \(text(influxDB.org))")
        lines.append("  bucket: \(text(influxDB.bucket))")
        lines.append("  token: \(secret(influxDB.token))")
        lines.append("  username: \(text(influxDB.username))")
        lines.append("  password: \(secret(influxDB.password))")
        lines.append("  batch_lines: \(influxDB.batchLines)")
        lines.append("  flush_interval: \(seconds(influxDB.flushInterval))")
        lines.append("  connections: \(influxDB.connections)")
        lines.append("processor:")
        lines.append("  group: \(text(processor.group))")
        lines.append("  ema_alpha: \(processor.emaAlpha)")
        lines.append("  ema_half_lives: [\(processor.emaHalfLives.map(seconds).joined(separator: ", "))]")
        lines.append("  reference_exchange: \(processor.referenceExchange.rawValue)")
        lines.append("  warmup_messages: \(processor.warmupMessages)")
        lines.append("  watchlist: [\(processor.watchlist.map(\.description).joined(separator: ", "))]")
        lines.append("  commit_interval: \(seconds(processor.commitInterval))")
        lines.append("  shutdown_timeout: \(seconds(processor.shutdownTimeout))")
        lines.append("run:")
        lines.append("  queue_capacity: \(run.queueCapacity)")
        lines.append("  points_file: \(text(run.pointsFile))")
        lines.append("collector:")
        for exchange in Exchange.allCases {
            guard let feed = feeds[exchange] else { continue }
            lines.append("  \(exchange.rawValue):")
            lines.append("    enabled: \(feed.enabled)")
            lines.append("    url: \(text(feed.url?.absoluteString))")
            lines.append("    rest_url: \(text(feed.restURL?.absoluteString))")
            lines.append("    symbols: [\(feed.symbols.map(\.description).joined(separator: ", "))]")
            if exchange == .bithumb { lines.append("    api: \(feed.bithumbAPI.rawValue)") }
            if let streams = feed.streamsPerConnection { lines.append("    streams_per_connection: \(streams)") }
            lines.append("    rest_requests_per_second: \(feed.restRequestsPerSecond)")
        }
        lines.append("  silence_timeout: \(seconds(feedTiming.silenceTimeout))")
        lines.append("  rest_fallback_after: \(seconds(feedTiming.restFallbackAfter))")
        lines.append("  rest_poll_interval: \(seconds(feedTiming.restPollInterval))")
        lines.append("  reconnect_initial: \(seconds(feedTiming.reconnectInitial))")
        lines.append("  reconnect_max: \(seconds(feedTiming.reconnectMaximum))")
        lines.append("telemetry:")
        lines.append("  listen: \(text(telemetryListen))")
        lines.append("log:")
        lines.append("  level: \(logLevel.rawValue)")
        lines.append("startup:")
        lines.append("  grace: \(seconds(startupGrace))")
        return lines.joined(separator: "\n")
    }
}
