import Foundation
import JinaProtos
import Logging
import NIOCore
import NIOWebSocket
import SwiftProtobuf
import Synchronization
import WSClient
public import JinaHistoryCore

/// Readiness of a flow over WebSocket (docs/semantics.md §1): Jina's gateway pushes one status frame on
/// `/dry_run` as soon as the connection opens and closes 1000; a Flow that is not ready gets no frame and a
/// close 1011 whose reason is Jina's description. The client sends nothing and reads until the server closes,
/// all within the deadline the caller enforces (Jina's own client can hang here for minutes).
public struct WebSocketReadinessChecker: ReadinessChecker {
    private static let logger: Logger = {
        var logger = Logger(label: "jina-history.websocket")
        logger.logLevel = .critical
        return logger
    }()

    /// Creates a checker.
    public init() {}

    /// Opens `ws://HOST:PORT/dry_run` and judges the frame and the close.
    public func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        let endpoint = target.endpoint
        let frame = FirstFrame()
        do {
            var configuration = WebSocketClientConfiguration()
            configuration.closeTimeout = timeout
            let tls = endpoint.secure ? try TLSClientConfiguration.nioSSL(target.tls) : nil
            let close = try await WebSocketClient.connect(
                url: "\(endpoint)/dry_run", configuration: configuration, tlsConfiguration: tls,
                logger: Self.logger
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: HTTPReadinessChecker.maximumBodyBytes) {
                    frame.keep(message)
                }
            }
            let closeCode = close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }
            return Self.judge(frame: frame.message, closeCode: closeCode, reason: close?.reason ?? "")
        } catch {
            return CheckOutcome(failure: NetworkFailure.detail(error, endpoint: endpoint))
        }
    }

    /// Ready iff a success status frame arrived and the close was normal; 1011 is Jina's "not ready".
    static func judge(frame: WebSocketMessage?, closeCode: Int?, reason: String) -> CheckOutcome {
        if closeCode == 1011 {
            return CheckOutcome(rawCode: 1011, failure: FailureDetail(.notReady, message: reason))
        }
        if let closeCode, closeCode != 1000 {
            return CheckOutcome(
                rawCode: closeCode, failure: FailureDetail(.wsClose, message: "closed \(closeCode): \(reason)"))
        }
        switch frame {
        case .text(let text):
            guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                return CheckOutcome(rawCode: closeCode, failure: FailureDetail(
                    .protocol, message: "status frame is not a JSON object: \(text.prefix(200))"))
            }
            return JinaStatusJSON(json).outcome(okCode: closeCode ?? 1000)
        case .binary(let bytes):
            guard let status = try? Jina_StatusProto(serializedBytes: Array(bytes.readableBytesView)) else {
                return CheckOutcome(rawCode: closeCode, failure: FailureDetail(
                    .protocol, message: "status frame is not a Jina StatusProto"))
            }
            guard status.code == .success else {
                return CheckOutcome(rawCode: status.code.rawValue, failure: FailureDetail(
                    .notReady, message: status.description_p, exception: status.exception.name))
            }
            return CheckOutcome(rawCode: closeCode ?? 1000)
        case nil:
            return CheckOutcome(rawCode: closeCode, failure: FailureDetail(
                .protocol, message: "closed \(closeCode.map(String.init) ?? "without a close frame") before any status frame"))
        }
    }

    /// The first frame the server sent, kept while the rest of the stream is read to its close.
    private final class FirstFrame: Sendable {
        private let first = Mutex<WebSocketMessage?>(nil)

        func keep(_ message: WebSocketMessage) { first.withLock { if $0 == nil { $0 = message } } }

        var message: WebSocketMessage? { first.withLock { $0 } }
    }
}
