import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import WSClient
import JinaHistoryCore

/// The error class and a short, true message for what a network client threw (docs/transports.md). Read from the
/// error's type wherever the client gives one: NIO's errno, its connection, HTTP/2 and TLS errors,
/// AsyncHTTPClient's and the WebSocket client's errors. BoringSSL's reason is the one thing only text carries
/// (``tlsReason(_:)``). No message quotes a file path: NIO's descriptions of TLS errors name the source file of
/// the build machine.
enum NetworkFailure {
    /// What `error` means for an attempt on `endpoint`.
    static func detail(_ error: any Error, endpoint: Endpoint) -> FailureDetail {
        let (errorClass, message) = classify(error, endpoint: endpoint)
        return FailureDetail(errorClass, message: message)
    }

    /// The class and message of `error`; anything not known by type is `protocol` with the error's own text,
    /// paths removed.
    static func classify(_ error: any Error, endpoint: Endpoint) -> (ErrorClass, String) {
        let address = "\(endpoint.urlHost):\(endpoint.port)"
        switch error {
        case let error as IOError:
            return classify(errno: error.errnoCode, address: address)
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return classify(first.error, endpoint: endpoint) }
            return (.dns, "cannot resolve \(endpoint.host)")
        case ChannelError.connectTimeout:
            return (.connectTimeout, "no connection to \(address) before the deadline")
        case let error as NIOSSLError:
            return (.tls, tlsMessage(error, endpoint: endpoint))
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return (.tls, "the server's certificate is not valid for \(endpoint.host)")
        case let error as BoringSSLError:
            return (.tls, "TLS handshake failed: \(tlsReason(error))")
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return (.connectTimeout, "no connection to \(address) before the deadline")
            case .deadlineExceeded, .readTimeout: return (.timeout, "no answer before the deadline")
            case .remoteConnectionClosed: return (.protocol, "the server closed the connection before answering")
            default: return (.protocol, withoutPaths(String(describing: error)))
            }
        case let error as WebSocketClientError where error == .webSocketUpgradeFailed:
            return (.protocol, "the server refused the WebSocket upgrade (is this a Jina WebSocket gateway?)")
        case is NIOHTTP2Errors.BadClientMagic, is NIOHTTP2Errors.UnableToParseFrame:
            return (.protocol, "the server does not speak HTTP/2 here (for an HTTP gateway use http://)")
        default:
            return (.protocol, withoutPaths(String(describing: error)))
        }
    }

    /// The socket errors a probe meets, in words.
    private static func classify(errno: Int32, address: String) -> (ErrorClass, String) {
        switch errno {
        case ECONNREFUSED: (.refused, "connection refused: nothing listens on \(address)")
        case ETIMEDOUT: (.connectTimeout, "no connection to \(address) before the system's timeout")
        case ECONNRESET: (.protocol, "the server reset the connection")
        case EPIPE: (.protocol, "the server closed the connection while the request was sent")
        case EHOSTUNREACH, ENETUNREACH: (.protocol, "no route to \(address)")
        default: (.protocol, "network error on \(address): \(String(cString: strerror(errno)))")
        }
    }

    private static func tlsMessage(_ error: NIOSSLError, endpoint: Endpoint) -> String {
        switch error {
        case .handshakeFailed(let reason): "TLS handshake failed: \(tlsReason(reason))"
        case .uncleanShutdown: "the server ended the TLS connection without closing it"
        default: "TLS failed: \(error)"
        }
    }

    /// BoringSSL's reason, in words where it is one a probe meets. BoringSSL's errors are text only
    /// (`error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /path/handshake.cc:393`): the
    /// reason is the field before ` at `, and this table is the one place that reads it.
    static func tlsReason(_ error: BoringSSLError) -> String {
        let stack: [BoringSSLInternalError] =
            switch error {
            case .sslError(let stack), .unknownError(let stack), .invalidSNIName(let stack),
                .failedToSetALPN(let stack): stack
            default: []
            }
        if stack.contains(.eofDuringHandshake) || error == .syscallError {
            return "the server closed the connection during the handshake (does it speak TLS on this port? "
                + "does it want a client certificate?)"
        }
        let reasons = stack.compactMap { entry -> String? in
            let text = entry.description
            let message = text.range(of: " at ").map { text[..<$0.lowerBound] } ?? Substring(text)
            return message.split(separator: ":").last.map(String.init)
        }
        guard let reason = reasons.first else { return "\(error)" }
        switch reason {
        case "CERTIFICATE_VERIFY_FAILED":
            return "the server's certificate is not trusted (signed by another CA, expired, or not for this "
                + "host); give the CA that signed it with --ca-cert"
        case "WRONG_VERSION_NUMBER":
            return "the server does not speak TLS on this port (use grpc://, http:// or ws://)"
        case "TLSV1_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_HANDSHAKE_FAILURE":
            return "the server refused the handshake (it may want a client certificate: --client-cert, --client-key)"
        case "SSLV3_ALERT_BAD_CERTIFICATE", "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_CERTIFICATE_UNKNOWN":
            return "the server rejected the client certificate"
        case "NO_APPLICATION_PROTOCOL", "TLSV1_ALERT_NO_APPLICATION_PROTOCOL":
            return "the server does not offer HTTP/2 over TLS (ALPN h2), which gRPC needs"
        default:
            return reason.lowercased().replacingOccurrences(of: "_", with: " ")
        }
    }

    /// `text` without the source locations NIO's errors carry (` at /path/file.cc:123`, `file: "…"`,
    /// `line: 42`).
    static func withoutPaths(_ text: String) -> String {
        var result = text
        for pattern in [#" at /[^\s\])]*"#, #"file: "[^"]*",? ?"#, #"line: \d+,? ?"#] {
            result = result.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
        }
        return result
    }
}
