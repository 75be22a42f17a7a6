/// Why an attempt failed: stable names, stored and printed (docs/semantics.md §3). New ones may be added;
/// none is ever renamed.
public enum ErrorClass: String, Codable, Sendable, CaseIterable {
    /// TCP connection refused.
    case refused
    /// The name did not resolve.
    case dns
    /// The deadline hit before the connection was established.
    case connectTimeout = "connect_timeout"
    /// The deadline hit after connecting (hung executor, silent server).
    case timeout
    /// TLS handshake or certificate failure.
    case tls
    /// The peer does not speak what was expected.
    case `protocol`
    /// gRPC UNIMPLEMENTED: not a gateway, or the wrong kind for this port.
    case unimplemented
    /// Any other gRPC status; the code is kept.
    case rpcError = "rpc_error"
    /// A non-2xx HTTP answer; the status is kept.
    case httpStatus = "http_status"
    /// A WebSocket closed abnormally; the code is kept.
    case wsClose = "ws_close"
    /// Health check answered NOT_SERVING or SERVICE_UNKNOWN.
    case notServing = "not_serving"
    /// The gateway answered and said the Flow is not ready.
    case notReady = "not_ready"
}
