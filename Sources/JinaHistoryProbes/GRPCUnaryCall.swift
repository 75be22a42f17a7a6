import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL
import JinaHistoryCore

/// One unary gRPC call on a connection of its own, straight on SwiftNIO, over plaintext (`grpc://`) or TLS
/// (`grpcs://`): connect, send the request, read the answer and its trailers, and return it at once; the
/// connection closes after. The recorder makes a thousand of these a second; grpc-swift's client (a connection
/// pool, a load balancer and several tasks per call) spent most of its CPU on machinery a single call on a fresh
/// connection does not need. Over TLS, grpc-swift's client also returned only once the connection had closed,
/// which waits for the server's TLS close_notify (NIOSSL's 5 s `shutdownTimeout`, which its TLS configuration does
/// not expose): Jina's gateways never send it, so every `grpcs://` check took 5 s (docs/transports.md).
struct GRPCUnaryCall: Sendable {
    /// Why a call gave no answer.
    enum Failure: Error, Sendable {
        /// The connection was not made before the deadline.
        case connectTimeout(String)
        /// No complete answer before the deadline.
        case timeout(String)
        /// The peer does not speak gRPC over HTTP/2 (garbage, HTTP/1, a broken answer).
        case protocolViolation(String)
        /// The call ended with a gRPC status other than OK.
        case status(code: Int, message: String)
        /// The connection failed (refused, reset, TLS): the client's own error, classed by ``NetworkFailure``.
        case network(any Error)
    }

    /// Largest answer read (a readiness answer is a few bytes).
    static let maximumAnswerBytes = 1 << 20

    let host: String
    let port: Int
    /// The method, as `/package.Service/Method`.
    let path: String
    /// TLS for `grpcs://`; `nil` for plaintext. ALPN `h2` is added to it.
    var tls: TLSConfiguration?

    /// Sends `message` (serialized protobuf) and returns the answer's serialized protobuf, all within `timeout`.
    func run(_ message: [UInt8], timeout: Duration) async -> Result<[UInt8], Failure> {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let answer = eventLoop.makePromise(of: [UInt8].self)
        let milliseconds = max(1, Int64(timeout / .milliseconds(1)))
        // The first of answer, failure and deadline decides; a promise ignores later completions. All three run
        // on `eventLoop`, as does `connected`.
        let connected = NIOLoopBoundBox.makeBoxSendingValue(false, eventLoop: eventLoop)
        let deadline = eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
            answer.fail(connected.value
                ? Failure.timeout("no answer within \(milliseconds) ms")
                : Failure.connectTimeout("no connection within \(milliseconds) ms"))
        }
        let sslContext: NIOSSLContext?
        do {
            sslContext = try tls.map { configuration in
                var configuration = configuration
                configuration.applicationProtocols = ["h2"]
                return try NIOSSLContext(configuration: configuration)
            }
        } catch {
            return .failure(.network(error))
        }
        // SNI and the certificate's name check take a host name; for an IP address NIOSSL checks the peer's.
        let serverHostname = sslContext != nil && (try? SocketAddress(ipAddress: host, port: port)) == nil ? host : nil
        let headers: HPACKHeaders = [
            ":method": "POST", ":scheme": sslContext == nil ? "http" : "https", ":path": path,
            ":authority": host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)",
            "content-type": "application/grpc", "te": "trailers", "grpc-timeout": "\(milliseconds)m",
            "user-agent": "jina-history/\(JinaHistoryVersion.current)",
        ]
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(milliseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    _ = try pipeline.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: .init(), streamConfiguration: .init(),
                        inboundStreamInitializer: { $0.close() })
                    try pipeline.addHandler(ConnectionWatch(answer: answer))
                }
            }
        // An IP address needs no resolver (NIO's would run getaddrinfo and happy-eyeballs timers for it).
        let connecting: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            connecting = bootstrap.connect(to: address)
        } else {
            connecting = bootstrap.connect(host: host, port: port)
        }
        connecting.whenComplete { connection in
            switch connection {
            case .failure(let error):
                answer.fail(Failure.network(error))
            case .success(let channel):
                connected.value = true
                // Closed on a later tick: not from inside the stream's own read.
                answer.futureResult.whenComplete { _ in channel.eventLoop.execute { channel.close(promise: nil) } }
                do {
                    let multiplexer = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self)
                        .syncMultiplexer()
                    multiplexer.createStreamChannel(promise: nil) { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandler(
                                UnaryStream(answer: answer, headers: headers, message: message))
                        }
                    }
                } catch {
                    answer.fail(Failure.network(error))
                }
            }
        }
        defer { deadline.cancel() }
        do {
            return .success(try await answer.futureResult.get())
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(.network(error))
        }
    }
}

/// Fails the call when the connection breaks or the peer is not HTTP/2 (the stream may never hear of it).
private final class ConnectionWatch: ChannelInboundHandler {
    typealias InboundIn = Any

    private let answer: EventLoopPromise<[UInt8]>

    init(answer: EventLoopPromise<[UInt8]>) {
        self.answer = answer
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TLS or HTTP/2 error of the connection itself: classed by its type.
        answer.fail(GRPCUnaryCall.Failure.network(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(GRPCUnaryCall.Failure.protocolViolation("the server closed the connection before answering"))
        context.fireChannelInactive()
    }
}

/// The call's stream: writes the request once active, gathers the answer, and completes the call at the trailers.
private final class UnaryStream: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let answer: EventLoopPromise<[UInt8]>
    private let headers: HPACKHeaders
    private let message: [UInt8]
    private var answerHeadersSeen = false
    private var body: [UInt8] = []

    init(answer: EventLoopPromise<[UInt8]>, headers: HPACKHeaders, message: [UInt8]) {
        self.answer = answer
        self.headers = headers
        self.message = message
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        // A gRPC message: not compressed, its length (big-endian), the bytes.
        var buffer = context.channel.allocator.buffer(capacity: 5 + message.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: true))), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let frame) where !answerHeadersSeen:
            answerHeadersSeen = true
            let status = frame.headers.first(name: ":status") ?? "none"
            let contentType = frame.headers.first(name: "content-type") ?? "none"
            guard status == "200", contentType.hasPrefix("application/grpc") else {
                return fail(.protocolViolation("not a gRPC answer: HTTP status \(status), content-type \(contentType)"))
            }
            // A trailers-only answer (an error status with no message) ends here.
            if frame.endStream { finish(trailers: frame.headers) }
        case .headers(let frame):
            finish(trailers: frame.headers)
        case .data(let frame):
            if case .byteBuffer(var bytes) = frame.data, let read = bytes.readBytes(length: bytes.readableBytes) {
                body += read
            }
            if body.count > GRPCUnaryCall.maximumAnswerBytes {
                fail(.protocolViolation("the answer is over \(GRPCUnaryCall.maximumAnswerBytes) bytes"))
            } else if frame.endStream {
                fail(.protocolViolation("the answer ended without a gRPC status"))
            }
        case .rstStream(let code):
            fail(.status(code: 14, message: "the server reset the call (HTTP/2 \(code))"))
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A TLS server closes a plaintext connection without a word: the likeliest cause before any answer.
        fail(.protocolViolation(answerHeadersSeen
            ? "the call's stream closed before its gRPC status"
            : "the server closed the connection before answering (if it serves TLS, use grpcs://)"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.network(error))
        context.close(promise: nil)
    }

    private func fail(_ failure: GRPCUnaryCall.Failure) {
        answer.fail(failure)
    }

    private func finish(trailers: HPACKHeaders) {
        guard let code = trailers.first(name: "grpc-status").flatMap({ Int($0) }) else {
            return fail(.protocolViolation("the answer has no grpc-status"))
        }
        guard code == 0 else {
            let text = trailers.first(name: "grpc-message").map { $0.removingPercentEncoding ?? $0 } ?? ""
            return fail(.status(code: code, message: text))
        }
        guard body.count >= 5, body[0] == 0 else {
            return fail(.protocolViolation("the answer is not one uncompressed gRPC message"))
        }
        let length = body[1..<5].reduce(0) { $0 << 8 | Int($1) }
        guard body.count == 5 + length else {
            return fail(.protocolViolation("the answer's length prefix says \(length) bytes, not \(body.count - 5)"))
        }
        answer.succeed(Array(body[5...]))
    }
}
