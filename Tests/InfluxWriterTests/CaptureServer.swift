import CompressNIO
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request as the capture server received it.
struct CapturedRequest: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: ByteBuffer
    var receivedAt: ContinuousClock.Instant

    var path: String { String(uri.prefix { $0 != "?" }) }

    /// Query parameters, percent-decoded.
    var query: [String: String] {
        guard let start = uri.firstIndex(of: "?") else { return [:] }
        var items: [String: String] = [:]
        for pair in uri[uri.index(after: start)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).percentDecoded() }
            items[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return items
    }

    /// The body, gunzipped when `Content-Encoding: gzip`.
    func bodyBytes() throws -> [UInt8] {
        var body = body
        if headers.first(name: "Content-Encoding") == "gzip" {
            body = try body.decompress(with: .gzip, maxSize: 64 << 20)
        }
        return Array(body.readableBytesView)
    }

    /// The lines of the (gunzipped) body, without `\n`.
    func lines() throws -> [String] {
        try bodyBytes().split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A scripted answer.
struct ScriptedResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body: String = ""
    /// Time to wait before answering (to provoke client timeouts).
    var delay: TimeAmount = .zero

    static let noContent = ScriptedResponse(status: .noContent)

    /// An InfluxDB-1.x-style JSON error.
    static func error(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> ScriptedResponse {
        let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ScriptedResponse(
            status: status,
            headers: [("Content-Type", "application/json")] + headers,
            body: "{\"error\":\"\(escaped)\"}"
        )
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that records every request and answers from a script.
final class CaptureServer: Sendable {
    typealias Script = @Sendable (_ request: CapturedRequest, _ number: Int) -> ScriptedResponse

    let port: Int
    private let channel: any Channel
    private let recorded: NIOLockedValueBox<[CapturedRequest]>

    var url: String { "http://127.0.0.1:\(port)" }

    /// Requests received so far, in arrival order.
    var requests: [CapturedRequest] { recorded.withLockedValue { $0 } }

    /// Starts a server on `port` (0: any free port); `script` gets each request and its number (0-based).
    static func start(port: Int = 0, _ script: @escaping Script) async throws -> CaptureServer {
        let recorded = NIOLockedValueBox<[CapturedRequest]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(CaptureHandler(recorded: recorded, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        return CaptureServer(channel: channel, recorded: recorded)
    }

    private init(channel: any Channel, recorded: NIOLockedValueBox<[CapturedRequest]>) {
        self.channel = channel
        self.recorded = recorded
        self.port = channel.localAddress?.port ?? 0
    }

    func stop() async throws {
        try await channel.close()
    }
}

private final class CaptureHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorded: NIOLockedValueBox<[CapturedRequest]>
    private let script: CaptureServer.Script
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(recorded: NIOLockedValueBox<[CapturedRequest]>, script: @escaping CaptureServer.Script) {
        self.recorded = recorded
        self.script = script
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            let request = CapturedRequest(
                method: head.method,
                uri: head.uri,
                headers: head.headers,
                body: body,
                receivedAt: .now
            )
            let number = recorded.withLockedValue { requests in
                requests.append(request)
                return requests.count - 1
            }
            let response = script(request, number)
            if response.delay == .zero {
                respond(response, context: context)
            } else {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: response.delay) {
                    let (handler, context) = loopBound.value
                    handler.respond(response, context: context)
                }
            }
        }
    }

    private func respond(_ response: ScriptedResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.utf8.count))
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

extension String {
    fileprivate func percentDecoded() -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
