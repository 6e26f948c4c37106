import Foundation

// coinflux-bench: throughput of the hot paths on this machine, each beside a baseline measured
// in the same run (Foundation's JSONDecoder, String interpolation, kcat, InfluxDB itself). Run it
// through scripts/bench.sh, which builds in release mode and starts a local broker and InfluxDB.
// Figures are single-threaded ("per core") unless a row says otherwise.
//
// Arguments choose sections: codec, exchanges, books, core, kafka, influx, processor, collector,
// collector-rates (default: all).

let environment = ProcessInfo.processInfo.environment
let chosen = Set(CommandLine.arguments.dropFirst())
func section(_ name: String, _ title: String) -> Bool {
    guard chosen.isEmpty || chosen.contains(name) else { return false }
    print("")
    print("== \(title) ==")
    return true
}

print("coinflux-bench — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.operatingSystemVersionString)")
if section("codec", "Event codec (JSON)") {
    CodecBenchmark.run()
}
if section("exchanges", "Exchange frame parsing") {
    ExchangeBenchmark.run()
}
if section("books", "Order-book messages parsed (and applied) per core") {
    BookBenchmark.run()
}
if section("core", "Line protocol and analytics") {
    CoreBenchmark.run()
}
if section("kafka", "Kafka (through coinflux's layer vs kcat, same broker, same run)") {
    if let broker = environment["COINFLUX_TEST_KAFKA"] {
        try await KafkaBenchmark.run(bootstrap: broker)
    } else {
        print("skipped: COINFLUX_TEST_KAFKA is not set (run scripts/bench.sh)")
    }
}
if section("influx", "InfluxDB writes (coinflux's writer vs a plain HTTP loop, same server, same run)") {
    if let influx = environment["COINFLUX_TEST_INFLUXDB"] {
        try await InfluxBenchmark.run(influxURL: influx)
    } else {
        print("skipped: COINFLUX_TEST_INFLUXDB is not set (run scripts/bench.sh)")
    }
}
if section("collector", "coinflux collect at ~50 000 frames/s from the simulator (CPU and delivery)") {
    if let broker = environment["COINFLUX_TEST_KAFKA"] {
        try await CollectorBenchmark.run(bootstrap: broker, binary: environment["COINFLUX_BINARY"] ?? ".build/release/coinflux")
    } else {
        print("skipped: COINFLUX_TEST_KAFKA is not set (run scripts/bench.sh)")
    }
}
if section("collector-rates", "coinflux collect beside cryptofeed at 2 000 to 50 000 msg/s and idle (CPU per message, same run)") {
    if let broker = environment["COINFLUX_TEST_KAFKA"] {
        try await CollectorRatesBenchmark.run(bootstrap: broker, binary: environment["COINFLUX_BINARY"] ?? ".build/release/coinflux")
    } else {
        print("skipped: COINFLUX_TEST_KAFKA is not set (run scripts/bench.sh)")
    }
}
if section("processor", "Processor: broker ceiling, database ceiling, encode only, end to end (same events, same run)") {
    if let broker = environment["COINFLUX_TEST_KAFKA"], let influx = environment["COINFLUX_TEST_INFLUXDB"] {
        let binary = environment["COINFLUX_BINARY"] ?? ".build/release/coinflux"
        try await ProcessorBenchmark.run(bootstrap: broker, influxURL: influx, binary: binary)
    } else {
        print("skipped: COINFLUX_TEST_KAFKA and COINFLUX_TEST_INFLUXDB are not set (run scripts/bench.sh)")
    }
}
