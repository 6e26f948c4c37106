import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A minimal WebSocket client on NIO's WebSocket codec for the simulator tests.
///
/// Higher-level clients answer pings by themselves and hide control frames and refused
/// upgrades' status codes; keepalive and fault tests need all three, so this client shows
/// every frame (opcode included) and answers pings only when `autoPong` is on.
final class TestWebSocketClient {
    /// The upgrade was answered with this status instead of 101.
    struct Refused: Error {
        let status: HTTPResponseStatus
    }

    /// No frame (or end) arrived within the deadline.
    struct Timeout: Error, CustomStringConvertible {
        let waited: Duration
        var description: String { "no WebSocket frame within \(waited)" }
    }

    /// One received frame with its payload unmasked.
    struct Frame {
        let opcode: WebSocketOpcode
        let data: ByteBuffer

        var bytes: [UInt8] { Array(data.readableBytesView) }
        var text: String { String(decoding: data.readableBytesView, as: UTF8.self) }
        /// The payload parsed as JSON (object or array).
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) }
        var object: [String: Any]? { json as? [String: Any] }
        /// Close status code of a close frame.
        var closeCode: UInt16? {
            guard opcode == .connectionClose else { return nil }
            return data.getInteger(at: data.readerIndex, as: UInt16.self)
        }
    }

    private enum Event: Sendable {
        case frame(WebSocketFrame)
        case ended
        case timeout(Int)
    }

    private enum UpgradeResult: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded(NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>)
    }

    private let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    private var events: AsyncStream<Event>.Iterator
    private let eventSink: AsyncStream<Event>.Continuation
    private var timeoutID = 0
    private var ended = false

    private init(outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, events: AsyncStream<Event>, sink: AsyncStream<Event>.Continuation) {
        self.outbound = outbound
        self.events = events.makeAsyncIterator()
        self.eventSink = sink
    }

    /// Connects to `ws://127.0.0.1:port<path>`, runs `body` with the client and closes.
    /// Throws ``Refused`` when the server does not upgrade.
    static func connect<Result: Sendable>(
        port: Int,
        path: String,
        autoPong: Bool = true,
        _ body: (TestWebSocketClient) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
        switch try await upgrade(port: port, path: path) {
        case .webSocket(let webSocket):
            channel = webSocket
        case .notUpgraded(let http):
            let status = try await http.executeThenClose { inbound, _ in
                for try await part in inbound {
                    if case .head(let head) = part { return head.status }
                }
                return HTTPResponseStatus.badGateway
            }
            throw Refused(status: status)
        }
        return try await channel.executeThenClose { inbound, outbound in
            let (events, sink) = AsyncStream.makeStream(of: Event.self)
            return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
                group.addTask {
                    do {
                        for try await frame in inbound {
                            if autoPong, frame.opcode == .ping {
                                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                            }
                            sink.yield(.frame(frame))
                        }
                    } catch {}
                    sink.yield(.ended)
                    sink.finish()
                }
                let client = TestWebSocketClient(outbound: outbound, events: events, sink: sink)
                let result = try await body(client)
                group.cancelAll()
                return result
            }
        }
    }

    // MARK: Sending

    func send(text: String) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)))
    }

    func send(binary: [UInt8]) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: binary)))
    }

    func ping(_ payload: String = "keepalive") async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer(string: payload)))
    }

    func pong(_ payload: ByteBuffer) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: payload))
    }

    // MARK: Receiving

    /// The next frame of any kind; nil once the connection ended.
    func next(within deadline: Duration = .seconds(5)) async throws -> Frame? {
        guard !ended else { return nil }
        timeoutID += 1
        let id = timeoutID
        let sink = eventSink
        let timer = Task {
            try await Task.sleep(for: deadline)
            sink.yield(.timeout(id))
        }
        defer { timer.cancel() }
        while let event = await events.next() {
            switch event {
            case .frame(let frame):
                return Frame(opcode: frame.opcode, data: frame.unmaskedData)
            case .ended:
                ended = true
                return nil
            case .timeout(let expired) where expired == id:
                throw Timeout(waited: deadline)
            case .timeout:
                continue  // a previous call's timer
            }
        }
        ended = true
        return nil
    }

    /// The next text or binary frame, skipping pings and pongs; nil once the connection
    /// ended or closed.
    func nextData(within deadline: Duration = .seconds(5)) async throws -> Frame? {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while let frame = try await next(within: max(.zero, end - clock.now)) {
            switch frame.opcode {
            case .text, .binary: return frame
            case .connectionClose: return nil
            default: continue
            }
        }
        return nil
    }

    /// The next data frame whose JSON object satisfies `match`, skipping others.
    func nextObject(within deadline: Duration = .seconds(5), where match: ([String: Any]) -> Bool) async throws -> (Frame, [String: Any])? {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while let frame = try await nextData(within: max(.zero, end - clock.now)) {
            if let object = frame.object, match(object) {
                return (frame, object)
            }
        }
        return nil
    }

    /// Reads until the server closes; returns its close frame (nil if the socket just ended).
    /// Throws ``Timeout`` when the connection is still open at the deadline.
    func waitForClose(within deadline: Duration) async throws -> Frame? {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var closeFrame: Frame?
        while let frame = try await next(within: max(.zero, end - clock.now)) {
            if frame.opcode == .connectionClose, closeFrame == nil {
                closeFrame = frame
                try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: frame.data))
            }
        }
        return closeFrame
    }

    // MARK: Connecting

    private static func upgrade(port: Int, path: String) async throws -> UpgradeResult {
        let future = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                        maxFrameSize: 1 << 20,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        }
                    )
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "127.0.0.1:\(port)")
                    headers.add(name: "Content-Length", value: "0")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(
                        upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                .notUpgraded(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        }
                    )
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    // Frames the server sends right behind its 101 response arrive in the same read.
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        return try await future.get()
    }
}
