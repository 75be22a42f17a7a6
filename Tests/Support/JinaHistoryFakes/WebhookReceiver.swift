import Foundation
import JinaHistoryTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A webhook receiver on a free loopback port: a real HTTP/1.1 server that keeps every request it gets and
/// answers as told (a status, after a delay), so tests can play a healthy, failing or slow receiver.
public final class WebhookReceiver: Sendable {
    /// One request as received.
    public struct Request: Sendable {
        /// The path with its query.
        public var uri: String
        /// Its headers.
        public var headers: [(String, String)]
        /// Its body.
        public var body: String
    }

    /// How the receiver answers.
    public struct Answer: Sendable {
        /// The status.
        public var status: Int
        /// The wait before answering.
        public var delay: Duration

        /// Creates an answer.
        public init(status: Int = 200, delay: Duration = .zero) {
            self.status = status
            self.delay = delay
        }
    }

    /// What the receiver got and how it answers, shared with its connections' handlers.
    private final class State: Sendable {
        let value: Mutex<(requests: [Request], answer: Answer)>
        init(_ answer: Answer) { value = Mutex(([], answer)) }
    }

    private let channel: any Channel
    private let state: State
    /// Its port on 127.0.0.1.
    public let port: Int

    /// Starts listening; `answer` is how it answers until changed.
    public init(answer: Answer = Answer()) async throws {
        let state = State(answer)
        self.state = state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            throw ConditionTimedOut(description: "webhook receiver did not listen")
        }
        self.port = port
    }

    /// The requests received so far, in order.
    public var requests: [Request] { state.value.withLock { $0.requests } }

    /// Changes how later requests are answered.
    public func answer(_ answer: Answer) { state.value.withLock { $0.answer = answer } }

    /// `http://127.0.0.1:PORT` followed by `path`.
    public func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Stops listening.
    public func stop() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let state: State
        private var head: HTTPRequestHead?
        private var body = ""

        init(state: State) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head else { return }
                let answer = state.value.withLock { state in
                    state.requests.append(Request(uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body))
                    return state.answer
                }
                let components = answer.delay.components
                let delay = TimeAmount.nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) {
                    let context = loopBound.value
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Length", value: "0")
                    let response = HTTPResponseHead(version: head.version,
                                                    status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
                    context.write(self.wrapOutboundOut(.head(response)), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}
