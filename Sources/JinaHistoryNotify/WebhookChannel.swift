import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
public import JinaHistoryCore

/// Delivers notices as HTTP POSTs to one webhook url through AsyncHTTPClient, each attempt bounded by its
/// deadline (connect, request and answer). A 2xx status is accepted; anything else is an answer with its
/// status. Errors are told in words that never quote the url (its path or query may hold a token).
public struct WebhookChannel: NotificationChannel {
    /// The url as it may be printed.
    public let destination: String
    private let url: String
    private let body: @Sendable (TransitionNotice) -> [UInt8]

    /// A channel to `url`, whose request bodies `body` makes (JSON, or a chat message).
    public init(url: String, destination: String, body: @escaping @Sendable (TransitionNotice) -> [UInt8]) {
        self.url = url
        self.destination = destination
        self.body = body
    }

    /// One POST, ended at `timeoutMs`.
    public func deliver(_ notice: TransitionNotice, timeoutMs: Int64) async -> NotificationAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "jina-history/\(JinaHistoryVersion.current)")
        request.body = .bytes(ByteBuffer(bytes: body(notice)))
        let deadline = NIODeadline.now() + .milliseconds(max(1, timeoutMs))
        do {
            let response = try await HTTPClient.shared.execute(request, deadline: deadline)
            // The answer's body is read (a receiver may wait for that) but not kept.
            _ = try await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            return NotificationAnswer(
                accepted: (200..<300).contains(status), status: status,
                error: (200..<300).contains(status) ? "" : "the receiver did not accept it")
        } catch {
            return NotificationAnswer(accepted: false, status: nil, error: Self.describe(error, timeoutMs: timeoutMs))
        }
    }

    /// What went wrong, in words; never the error's own text, which may quote the url.
    static func describe(_ error: any Error, timeoutMs: Int64) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout: "no answer within \(timeoutMs) ms"
            case .connectTimeout: "no connection within \(timeoutMs) ms"
            case .remoteConnectionClosed: "the receiver closed the connection before answering"
            default: "the request failed (\(String(describing: error).prefix(80)))"
            }
        case let error as IOError: connectionFailure(errno: error.errnoCode)
        case let error as NIOConnectionError:
            error.connectionErrors.first.map { describe($0.error, timeoutMs: timeoutMs) } ?? "cannot resolve the host"
        case ChannelError.connectTimeout: "no connection within \(timeoutMs) ms"
        default: "the request failed (\(type(of: error)))"
        }
    }

    private static func connectionFailure(errno: Int32) -> String {
        switch errno {
        case ECONNREFUSED: "connection refused: nothing listens there"
        case ECONNRESET: "the receiver reset the connection"
        default: "network error: \(String(cString: strerror(errno)))"
        }
    }
}
