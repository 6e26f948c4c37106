// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "coinflux",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "coinflux", targets: ["coinflux"]),
        .executable(name: "coinflux-bench", targets: ["CoinfluxBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // librdkafka, found through pkg-config. Only the Kafka target imports it.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // Thin Swift layer over librdkafka: producer, consumer group, admin.
        .target(
            name: "Kafka",
            dependencies: [
                "CoinfluxCore", "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Pure logic, no I/O: events, JSON reader, event codec, analytics, line protocol.
        .target(name: "CoinfluxCore"),
        // Pure exchange protocols: subscription requests, keepalive rules, frame parsing.
        .target(name: "Exchanges", dependencies: ["CoinfluxCore"]),
        // The metric catalogue (public contract), the registry, process metrics, readiness, dependency watches.
        .target(
            name: "Telemetry",
            dependencies: [
                "CoinfluxCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // HTTP /metrics, /healthz, /readyz.
        .target(
            name: "TelemetryServer",
            dependencies: [
                "Telemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Live feeds: WebSocket lifecycle, keepalive, backoff, REST fallback; events to Kafka.
        .target(
            name: "Collector",
            dependencies: [
                "CoinfluxCore", "Exchanges", "Kafka", "Telemetry",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "WSClient", package: "swift-websocket"),
            ]
        ),
        // Batched, gzipped line-protocol writes to InfluxDB (v1 and v2 APIs) with retries.
        .target(
            name: "InfluxWriter",
            dependencies: [
                "CoinfluxCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The processor's pure core, no I/O: events → points of the InfluxDB schema, batches,
        // coverage of consumed messages, the commit ledger, dead letters.
        .target(name: "ProcessorCore", dependencies: ["CoinfluxCore"]),
        // The processing loop over an EventSource seam (the in-process queue is one), writing
        // through a PointWriter and committing after acknowledgement. No Kafka.
        .target(
            name: "Processor",
            dependencies: [
                "CoinfluxCore", "InfluxWriter", "ProcessorCore", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The Kafka event source of the processor (consumer group, warm-up, FX topic, lag) and its dead-letter topic.
        .target(
            name: "ProcessorKafka",
            dependencies: [
                "CoinfluxCore", "Kafka", "Processor", "ProcessorCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The exchange simulator: the five exchanges' WebSocket and REST protocols on loopback.
        .target(
            name: "Simulator",
            dependencies: [
                "CoinfluxCore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `coinflux` executable: configuration and service assembly only.
        .executableTarget(
            name: "coinflux",
            dependencies: [
                "CoinfluxCore", "Collector", "Exchanges", "InfluxWriter", "Kafka", "Processor", "ProcessorKafka", "Simulator",
                "Telemetry", "TelemetryServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // `coinflux-bench`: prints throughput figures beside their baselines (scripts/bench.sh).
        .executableTarget(
            name: "CoinfluxBench",
            dependencies: [
                "CoinfluxCore", "Exchanges", "InfluxWriter", "Kafka", "Processor", "ProcessorCore", "ProcessorKafka", "Telemetry",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Shared by the test targets: addresses of the real servers started by scripts/with-services.sh.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CoinfluxCoreTests", dependencies: ["CoinfluxCore", "TestSupport"]),
        .testTarget(name: "ExchangesTests", dependencies: ["Exchanges", "CoinfluxCore"], exclude: ["Fixtures"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TelemetryTests", dependencies: ["CoinfluxCore", "Telemetry", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ProcessorCoreTests", dependencies: ["CoinfluxCore", "ProcessorCore"]),
        .testTarget(
            name: "ProcessorTests",
            dependencies: [
                "CoinfluxCore", "InfluxWriter", "Processor", "ProcessorCore", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "CoinfluxCore", "Collector", "Exchanges", "Simulator", "Telemetry", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "InfluxWriterTests",
            dependencies: [
                "CoinfluxCore", "InfluxWriter", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "CoinfluxCore", "Simulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CoinfluxTests",
            dependencies: ["coinflux", "CoinfluxCore", "Kafka", "Simulator", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ]
)
