import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Simulator
import Testing

/// Measures how many trade frames per second the simulator sends, each connection subscribed to
/// its own market trading `SIMULATOR_BENCH_RATE` times a second (default 100 000, the most).
/// Opt-in (it loads both cores):
///
///     SIMULATOR_BENCH=1 [SIMULATOR_BENCH_CONNECTIONS=4] [SIMULATOR_BENCH_SECONDS=5] [SIMULATOR_BENCH_RATE=10000] \
///         swift test -c release -Xswiftc -enable-testing --filter ThroughputBenchmark
@Suite("Throughput benchmark", .enabled(if: ProcessInfo.processInfo.environment["SIMULATOR_BENCH"] != nil))
struct ThroughputBenchmarkTests {
    /// Counts data frames in the pipeline, without an async hop per frame, so the client is
    /// not the bottleneck.
    final class FrameCounter: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        let count = NIOLockedValueBox(0)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            count.withLockedValue { $0 += 1 }
        }
    }

    @Test("trade frames per second received over several connections at the highest rate")
    func maxFramesPerSecond() async throws {
        let environment = ProcessInfo.processInfo.environment
        let connections = Int(environment["SIMULATOR_BENCH_CONNECTIONS"] ?? "") ?? 4
        let rate = Double(environment["SIMULATOR_BENCH_RATE"] ?? "") ?? 100_000
        try await withSimulator(SimulatorConfiguration(tradesPerSecond: rate, tickersPerSecond: 0, seed: 3)) { simulator, port in
            var counters: [FrameCounter] = []
            var channels: [any Channel] = []
            for index in 0..<connections {
                let counter = FrameCounter()
                let symbol = ["btcusdt", "ethusdt", "solusdt", "xrpusdt"][index % 4]
                channels.append(try await Self.connect(port: port, path: "/binance/ws/\(symbol)@trade", counter: counter))
                counters.append(counter)
            }
            try await Task.sleep(for: .seconds(1))
            let clock = ContinuousClock()
            let startCount = counters.reduce(0) { $0 + $1.count.withLockedValue { $0 } }
            let startSent = simulator.counters(for: .binance).framesSent
            let start = clock.now
            try await Task.sleep(for: .seconds(Int(ProcessInfo.processInfo.environment["SIMULATOR_BENCH_SECONDS"] ?? "") ?? 5))
            let seconds = (clock.now - start) / .seconds(1)
            let received = counters.reduce(0) { $0 + $1.count.withLockedValue { $0 } } - startCount
            let sent = simulator.counters(for: .binance).framesSent - startSent
            let dropped = simulator.counters(for: .binance).tradesDropped
            print("simulator throughput: \(connections) connections at \(Int(rate)) trades/s each, dropped \(dropped) (backlog), sent \(Int(Double(sent) / seconds)) frames/s, received \(Int(Double(received) / seconds)) frames/s")
            for channel in channels {
                try? await channel.close().get()
            }
            #expect(received > 0)
        }
    }

    private static func connect(port: Int, path: String, counter: FrameCounter) async throws -> any Channel {
        let upgraded = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(counter)
                                return true
                            }
                        }
                    )
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "127.0.0.1:\(port)")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Bool>(
                        upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) }
                    )
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    let result = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                    return result.map { (channel, $0) }
                }
            }
        let (channel, didUpgrade) = try await upgraded.get()
        guard didUpgrade else { throw TestWebSocketClient.Refused(status: .badRequest) }
        return channel
    }
}
