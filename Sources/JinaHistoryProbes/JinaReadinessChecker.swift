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
            throw JinaHistoryError.unsupportedTarget(name: target.name, .webSocketTLSNeedsHostName(port: endpoint.port))
        }
        if endpoint.secure { try TLSClientConfiguration.requireLoadable(target.tls, of: target.name) }
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
