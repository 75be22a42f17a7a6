import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import JinaHistoryCore

/// A small HTTP/1.1 server for `GET /metrics` (Prometheus' scrape), on the address given to
/// `record --metrics-listen`. Anything else is 404; every connection is closed after its answer.
public final class MetricsServer: Sendable {
    private let channel: any Channel

    /// Binds `host:port` (port 0 picks a free one) and serves `metrics` until ``stop()``.
    ///
    /// - throws: ``JinaHistoryError`` naming the address when it cannot be bound.
    public init(host: String, port: Int, metrics: RecorderMetrics) async throws {
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(MetricsResponder(metrics: metrics))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw JinaHistoryError.invalid(.metricsListen, value: Self.address(host, port), .cannotListen(
                .init(errno: (error as? IOError)?.errnoCode, otherwise: "\(error)")))
        }
    }

    private static func address(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The port it listens on.
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Stops listening.
    public func stop() async { try? await channel.close() }
}

/// Answers one request: the exposition for `GET /metrics`, 404 for anything else.
private final class MetricsResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: RecorderMetrics
    private let path = Mutex<String?>(nil)

    init(metrics: RecorderMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path.withLock { $0 = head.method == .GET ? head.uri : nil }
        case .body: break
        case .end:
            let served = path.withLock { $0 }.map { $0 == "/metrics" || $0.hasPrefix("/metrics?") } ?? false
            let body = served ? metrics.exposition() : "not found; metrics are at /metrics\n"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: served ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain")
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(
                version: .http1_1, status: served ? .ok : .notFound, headers: headers))), promise: nil)
            let buffer = context.channel.allocator.buffer(string: body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
