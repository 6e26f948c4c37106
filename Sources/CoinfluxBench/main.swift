import Foundation

// coinflux-bench: throughput of the hot paths on this machine, each beside a baseline measured
// in the same run (Foundation's JSONDecoder, String interpolation, kcat). Run it through
// scripts/bench.sh, which builds in release mode and starts a local broker for the Kafka figures.
// Figures are single-threaded ("per core") unless a row says otherwise.

print("coinflux-bench — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.operatingSystemVersionString)")
print("")
print("== Event codec (JSON) ==")
CodecBenchmark.run()
print("")
print("== Exchange frame parsing ==")
ExchangeBenchmark.run()
print("")
print("== Line protocol and analytics ==")
CoreBenchmark.run()
print("")
print("== Kafka (through coinflux's layer vs kcat, same broker, same run) ==")
if let broker = ProcessInfo.processInfo.environment["COINFLUX_TEST_KAFKA"] {
    try await KafkaBenchmark.run(bootstrap: broker)
} else {
    print("skipped: COINFLUX_TEST_KAFKA is not set (run scripts/bench.sh)")
}
print("")
print("== InfluxDB writes (coinflux's writer vs a plain HTTP loop, same server, same run) ==")
if let influx = ProcessInfo.processInfo.environment["COINFLUX_TEST_INFLUXDB"] {
    try await InfluxBenchmark.run(influxURL: influx)
} else {
    print("skipped: COINFLUX_TEST_INFLUXDB is not set (run scripts/bench.sh)")
}
