import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// One unary gRPC call over plaintext HTTP/2 (`grpc://`) on a connection of its own, straight on SwiftNIO:
/// connect, send the request, read the answer and its trailers, close. The recorder makes a thousand of these a
/// second; grpc-swift's client (a connection pool, a load balancer and several tasks per call) spends most of
/// its CPU on machinery a single call on a fresh connection does not need. TLS targets still use grpc-swift.
struct GRPCPlaintextCall: Sendable {
    /// Why a call gave no answer.
    enum Failure: Error, Sendable {
        /// Nothing listens there.
        case refused(String)
        /// The connection was not made before the deadline.
        case connectTimeout(String)
        /// No complete answer before the deadline.
        case timeout(String)
        /// The peer does not speak gRPC over HTTP/2 (garbage, HTTP/1, a broken answer).
        case protocolViolation(String)
        /// The call ended with a gRPC status other than OK.
        case status(code: Int, message: String)
        /// Any other network error.
        case transport(String)
    }

    /// Largest answer read (a readiness answer is a few bytes).
    static let maximumAnswerBytes = 1 << 20

    let host: String
    let port: Int
    /// The method, as `/package.Service/Method`.
    let path: String

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
        let headers: HPACKHeaders = [
            ":method": "POST", ":scheme": "http", ":path": path,
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
                answer.fail(Self.connectFailure(error))
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
                    answer.fail(Failure.transport(String(describing: error)))
                }
            }
        }
        defer { deadline.cancel() }
        do {
            return .success(try await answer.futureResult.get())
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(.transport(String(describing: error)))
        }
    }

    private static func connectFailure(_ error: any Error) -> Failure {
        let text = String(describing: error)
        if case ChannelError.connectTimeout = error { return .connectTimeout("connect timeout: \(text)") }
        let lowered = text.lowercased()
        if lowered.contains("connection refused") || lowered.contains("errno: 111") { return .refused(text) }
        if lowered.contains("connecttimeout") { return .connectTimeout("connect timeout: \(text)") }
        return .transport(text)
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
        answer.fail(GRPCPlaintextCall.Failure.protocolViolation("not gRPC over HTTP/2: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(GRPCPlaintextCall.Failure.protocolViolation("the server closed the connection before answering"))
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
            if body.count > GRPCPlaintextCall.maximumAnswerBytes {
                fail(.protocolViolation("the answer is over \(GRPCPlaintextCall.maximumAnswerBytes) bytes"))
            } else if frame.endStream {
                fail(.protocolViolation("the answer ended without a gRPC status"))
            }
        case .rstStream(let code):
            fail(.transport("the server reset the call (HTTP/2 \(code))"))
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.protocolViolation("the call's stream closed before its gRPC status"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.protocolViolation("not gRPC over HTTP/2: \(error)"))
        context.close(promise: nil)
    }

    private func fail(_ failure: GRPCPlaintextCall.Failure) {
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
