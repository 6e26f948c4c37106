import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// HTTP/1.1 child channel of the simulator: REST requests go to the Hummingbird responder,
/// WebSocket upgrades on the exchanges' paths become ``WebSocketSession``s.
///
/// Its own channel rather than hummingbird-websocket's: that one answers every refused
/// upgrade with 400 and keeps ping/pong frames from the handler, while the simulator must
/// answer 503/429 like a throttling exchange and must see pings and pongs to enforce
/// keepalive rules.
struct SimulatorServerChannel: ServerChildChannel, HTTPChannelHandler {
    /// The outcome of the HTTP/1.1 request that opened the connection.
    enum UpgradeResult: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, WebSocketEndpoint)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, HTTPResponseStatus)
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    /// What to do with an upgrade request.
    enum UpgradeDecision: Sendable {
        case accept(WebSocketEndpoint)
        case reject(HTTPResponseStatus)
    }

    struct Value: ServerChildChannelValue {
        let result: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    /// Decides an upgrade request from its target (`/path?query`); runs on the event loop.
    let decide: @Sendable (String) -> UpgradeDecision
    let context: SimulatorContext

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let decision = NIOLoopBoundBox<UpgradeDecision?>(nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                shouldUpgrade: { channel, head in
                    let verdict = decide(head.uri)
                    decision.value = verdict
                    switch verdict {
                    case .accept: return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                    case .reject: return channel.eventLoop.makeSucceededFuture(nil)
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .accept(let endpoint) = decision.value else {
                            throw ChannelError.inappropriateOperationForState
                        }
                        let webSocket = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                        return .webSocket(webSocket, endpoint)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(
                upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                            try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                            let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                                wrappingChannelSynchronously: channel,
                                configuration: .init(isOutboundHalfClosureEnabled: true)
                            )
                            if case .reject(let status) = decision.value {
                                return .refused(http, status)
                            }
                            return .http(http)
                        }
                    }
                )
            )
            configuration.enablePipelining = false  // NIOAsyncChannel handles one request at a time
            configuration.enableErrorHandling = false  // Hummingbird's HTTP handling answers parse errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validated them already
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(result: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.result.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let status):
                try await refuse(http, status: status)
            case .webSocket(let webSocket, let endpoint):
                await WebSocketSession(endpoint: endpoint, context: context, logger: logger).run(webSocket)
            }
        } catch {
            logger.debug("Connection ended before a request completed", metadata: ["error": "\(error)"])
        }
    }

    /// Answers a rejected upgrade with `status` and closes the connection.
    private func refuse(_ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, status: HTTPResponseStatus) async throws {
        try await http.executeThenClose { _, outbound in
            let body = ByteBuffer(string: "{\"code\":\(status.code),\"msg\":\"\(status.reasonPhrase)\"}")
            let head = HTTPResponse(
                status: .init(code: Int(status.code), reasonPhrase: status.reasonPhrase),
                headerFields: [.connection: "close", .contentType: "application/json", .contentLength: "\(body.readableBytes)"]
            )
            try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
        }
    }
}
