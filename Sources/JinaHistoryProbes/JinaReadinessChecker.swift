public import JinaHistoryCore
/// The readiness check of docs/semantics.md §1 for any target: picks the gRPC, HTTP or WebSocket check by the
/// url's transport. A WebSocket gateway also serves HTTP on its port, so its liveness (and a `gateway` target
/// over `ws://`) is an HTTP `GET /`.
public struct JinaReadinessChecker: ReadinessChecker {
    /// Creates a checker.
    public init() {}

    /// Refuses, at start-up, a target this checker cannot probe: a kind/transport pair Jina does not serve, or
    /// certificate files that are missing or not PEM.
    ///
    /// - throws: ``JinaHistoryError`` naming the target and the fix.
    public static func requireProbeable(_ target: Target) throws {
        try target.requireSupported()
        let endpoint = target.endpoint
        if endpoint.secure, endpoint.transport == .websocket, endpoint.hostIsIPAddress {
            throw JinaHistoryError.badInput(
                "\(target.name): wss:// needs a host name (the WebSocket client sends it as TLS SNI, which cannot be "
                    + "an IP address); use the name on the server's certificate, e.g. wss://localhost:\(endpoint.port)")
        }
        if endpoint.secure {
            do {
                try TLSClientConfiguration.requireLoadable(target.tls)
            } catch let error as JinaHistoryError {
                throw JinaHistoryError.badInput("\(target.name): \(error.message)")
            }
        }
    }

    /// Makes one call over the target's transport.
    public func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        switch target.endpoint.transport {
        case .grpc:
            await GRPCReadinessChecker().check(target, role: role, timeout: timeout)
        case .websocket where role == .readiness && target.kind == .flow:
            await WebSocketReadinessChecker().check(target, role: role, timeout: timeout)
        case .http, .websocket:
            await HTTPReadinessChecker().check(target, role: role, timeout: timeout)
        }
    }
}
