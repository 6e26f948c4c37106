import AsyncHTTPClient
import Foundation
import InfluxWriter
import NIOCore

/// InfluxDB write throughput: 500 000 five-field points as 5000-line batches over 2 connections,
/// through `InfluxWriter` (gzip on and off) beside the same batches POSTed by a plain
/// AsyncHTTPClient loop without gzip or retries (the baseline). Each variant writes into a fresh
/// database and the stored point count is checked afterwards.
enum InfluxBenchmark {
    static let points = 500_000
    static let batchSize = 5000
    static let connections = 2
    static let database = "coinflux_bench"
    /// Variants are interleaved over this many rounds, in rotating order, so a slow moment of the
    /// shared machine or of InfluxDB hits all alike. Each keeps its median round: with the server
    /// in the loop a single round varies by ±30 % here, and the best round is an outlier of the
    /// server's state rather than the client's speed.
    static let rounds = 5

    static func run(influxURL: String) async throws {
        let batches = makeBatches()
        let bytes = batches.reduce(0) { $0 + $1.byteCount }
        print("  \(points) points, \(batches.count) batches of \(batchSize), \(bytes / points) bytes/point, \(connections) connections, median of \(rounds)")

        let variants: [(String, () async throws -> Void)] = [
            ("plain AHC loop, no gzip (baseline)", { try await postPlain(batches, influxURL: influxURL) }),
            ("InfluxWriter, gzip level 1 (default)", { try await postThroughWriter(batches, influxURL: influxURL, gzip: true) }),
            ("InfluxWriter, no gzip", { try await postThroughWriter(batches, influxURL: influxURL, gzip: false) }),
        ]
        // Untimed warm-up: the very first run against an idle InfluxDB is faster than any later one.
        _ = try await measure("warm-up", influxURL, variants[0].1)
        var seconds = [[Double]](repeating: [], count: variants.count)
        var cpuSeconds = seconds
        for round in 0..<rounds {
            for step in variants.indices {
                let index = (round + step) % variants.count
                let (wall, cpu) = try await measure(variants[index].0, influxURL, variants[index].1)
                seconds[index].append(wall)
                cpuSeconds[index].append(cpu)
            }
        }
        let rows = variants.indices.map {
            Bench.record(variants[$0].0, operations: points, seconds: median(seconds[$0]), unit: "points")
        }
        Bench.ratio("InfluxWriter gzip vs plain AHC loop", rows[1], rows[0])
        Bench.ratio("InfluxWriter no gzip vs plain AHC loop", rows[2], rows[0])
        // Client CPU (user + system of this process) shows the writer's own cost, gzip included.
        let cpuRows = variants.indices.map {
            Bench.record("\(variants[$0].0), per client CPU second", operations: points, seconds: median(cpuSeconds[$0]), unit: "points")
        }
        Bench.ratio("InfluxWriter gzip vs plain AHC loop, client CPU", cpuRows[1], cpuRows[0])
        Bench.ratio("InfluxWriter no gzip vs plain AHC loop, client CPU", cpuRows[2], cpuRows[0])
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    /// 100 batches of realistic processor output: price, change, EMA, deviation, volume.
    static func makeBatches() -> [LineBatch] {
        let symbols = ["BTC", "ETH", "XRP", "SOL", "DOGE", "ADA", "TRX", "AVAX", "LINK", "DOT"]
        let exchanges = ["binance", "upbit", "bybit", "bithumb", "coinone"]
        let start: Int64 = 1_700_000_000_000_000_000
        return stride(from: 0, to: points, by: batchSize).map { first in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batchSize * 160)
            for i in first..<first + batchSize {
                let price = 50_000 + Double(i % 1000) * 0.37
                let line =
                    "ticker,exchange=\(exchanges[i % 5]),symbol=\(symbols[(i / 5) % 10]) "
                    + "price=\(price),change=\(Double(i % 200 - 100) / 10_000),ema=\(price * 0.999),"
                    + "deviation=\(Double(i % 77) / 100_000),volume=\(i % 10_000)i \(start + Int64(i) * 1000)\n"
                bytes += line.utf8
            }
            return LineBatch(bytes: bytes)
        }
    }

    /// Recreates the database, runs `body`, checks the stored count; returns the wall-clock
    /// seconds and this process's CPU seconds taken.
    static func measure(_ name: String, _ url: String, _ body: () async throws -> Void) async throws -> (Double, Double) {
        try await query(url, "DROP DATABASE \(database)")
        try await query(url, "CREATE DATABASE \(database)")
        let cpuStart = processCPUSeconds()
        let start = ContinuousClock.now
        try await body()
        let (seconds, attoseconds) = start.duration(to: .now).components
        let cpu = processCPUSeconds() - cpuStart
        let stored = try await storedCount(url)
        if stored != points {
            print("  !! \(name): \(stored) points stored, expected \(points)")
        }
        return (Double(seconds) + Double(attoseconds) / 1e18, cpu)
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    static func postThroughWriter(_ batches: [LineBatch], influxURL: String, gzip: Bool) async throws {
        let configuration = InfluxWriterConfiguration(url: influxURL, api: .v1(database: database), gzip: gzip, connections: connections)
        try await InfluxWriter.withWriter(configuration: configuration) { writer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<connections {
                    group.addTask {
                        for index in stride(from: worker, to: batches.count, by: connections) {
                            let outcome = try await writer.write(batches[index])
                            if !outcome.rejected.isEmpty {
                                print("  !! rejected: \(outcome.rejected[0].reason)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    static func postPlain(_ batches: [LineBatch], influxURL: String) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<connections {
                    group.addTask {
                        for index in stride(from: worker, to: batches.count, by: connections) {
                            var request = HTTPClientRequest(url: "\(influxURL)/write?db=\(database)&precision=ns")
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                            request.body = .bytes(batches[index].body)
                            let response = try await client.execute(request, timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            if response.status != .noContent {
                                print("  !! plain POST: HTTP \(response.status.code)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @discardableResult
    static func query(_ url: String, _ statement: String, database: String? = nil) async throws -> ByteBuffer {
        let encoded = statement.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? statement
        var request = HTTPClientRequest(url: "\(url)/query?q=\(encoded)" + (database.map { "&db=\($0)" } ?? ""))
        request.method = .POST
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return try await response.body.collect(upTo: 1 << 20)
    }

    static func storedCount(_ url: String) async throws -> Int {
        let body = try await query(url, "SELECT count(price) FROM ticker", database: database)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        let results = json?["results"] as? [[String: Any]]
        let series = results?.first?["series"] as? [[String: Any]]
        let values = series?.first?["values"] as? [[Any]]
        return (values?.first?.last as? NSNumber)?.intValue ?? 0
    }
}
