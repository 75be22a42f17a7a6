import Foundation
import JinaHistoryTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
import NIOWebSocket

/// What a ``withFakeWireServer(_:tls:_:)`` server does with each connection: the faults a real Jina cannot
/// produce on demand.
public enum FakeWireBehaviour: Sendable {
    /// Sends bytes that are neither HTTP/1 nor HTTP/2 as soon as the connection opens, then closes.
    case garbage
    /// Answers every HTTP/1 request with this status and text body (an HTTP/1 server on a gRPC url, too).
    case http(status: Int, body: String)
    /// Accepts a WebSocket upgrade, sends `frame` (if any) as text, then closes with `code` and `reason`.
    case webSocket(frame: String?, code: UInt16, reason: String)
}

/// Runs an in-process server on a free loopback port for the duration of `body`; TLS when `tls` is given.
public func withFakeWireServer<T: Sendable>(
    _ behaviour: FakeWireBehaviour, tls: NIOSSLContext? = nil, _ body: (Int) async throws -> T
) async throws -> T {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                switch behaviour {
                case .garbage:
                    try pipeline.addHandler(GarbageSender())
                case .http(let status, let body):
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(FixedHTTPResponder(status: status, body: body))
                case .webSocket(let frame, let code, let reason):
                    let upgrader = NIOWebSocketServerUpgrader(
                        shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    WebSocketCloser(frame: frame, code: code, reason: reason))
                            }
                        })
                    try pipeline.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    defer { channel.close(promise: nil) }
    guard let port = channel.localAddress?.port else {
        throw ConditionTimedOut(description: "fake wire server did not listen")
    }
    return try await body(port)
}

private final class GarbageSender: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        let garbage = ByteBuffer(bytes: (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        context.writeAndFlush(wrapOutboundOut(garbage)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}

private final class FixedHTTPResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let status: Int
    let body: String

    init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders([("content-type", "text/plain"), ("connection", "close")])
        headers.add(name: "content-length", value: "\(body.utf8.count)")
        let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}

private final class WebSocketCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let frame: String?
    let code: UInt16
    let reason: String

    init(frame: String?, code: UInt16, reason: String) {
        self.frame = frame
        self.code = code
        self.reason = reason
    }

    /// Speaks 50 ms after the upgrade. Frames that reach the client in the same read as the 101 response are
    /// sometimes lost by the WebSocket client while its event loop is busy (a known class of client bug,
    /// apple/swift-nio#741; docs/transports.md), which would make this fake flaky rather than test the checker.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .upgradeComplete = event as? HTTPServerUpgradeEvents {
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(50)) { self.close(context) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func close(_ context: ChannelHandlerContext) {
        if let frame {
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: frame))),
                          promise: nil)
        }
        var closing = ByteBuffer()
        closing.writeInteger(code)
        closing.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: closing)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
