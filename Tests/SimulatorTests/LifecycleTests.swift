import CoinfluxCore
import Logging
import NIOCore
import ServiceLifecycle
import Simulator
import Testing

@Suite("Lifecycle")
struct LifecycleTests {
    @Test("stop() closes open WebSockets with 1001 and stops listening")
    func stopClosesConnections() async throws {
        let simulator = ExchangeSimulator(configuration: .testing())
        let port = try await simulator.start()
        #expect(simulator.port == port)
        try await TestWebSocketClient.connect(port: port, path: "/coinone") { client in
            _ = try #require(try await client.nextData())
            async let stopped: Void = simulator.stop()
            #expect(try await client.waitForClose(within: .seconds(5))?.closeCode == 1001)
            await stopped
        }
        await #expect(throws: (any Error).self) {
            try await TestWebSocketClient.connect(port: port, path: "/coinone") { _ in }
        }
    }

    @Test("run() serves inside a ServiceGroup and ends on graceful shutdown")
    func runsAsService() async throws {
        let simulator = ExchangeSimulator(configuration: .testing())
        let group = ServiceGroup(services: [simulator], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await simulator.listeningPort()
            let response = try await http(port: port, "/bithumb/public/ticker/ETH_KRW")
            #expect(response.object?["status"] as? String == "0000")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("start() twice is an error; a taken port fails start()")
    func startErrors() async throws {
        try await withSimulator { simulator, port in
            await #expect(throws: SimulatorError.self) { _ = try await simulator.start() }
            let clash = ExchangeSimulator(configuration: SimulatorConfiguration(port: port))
            await #expect(throws: (any Error).self) { _ = try await clash.start() }
            await clash.stop()
        }
    }
}
