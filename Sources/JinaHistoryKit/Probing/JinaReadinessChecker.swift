/// The readiness check of docs/semantics.md §1 for any target: picks the gRPC, HTTP or WebSocket check by the
/// url's transport. A WebSocket gateway also serves HTTP on its port, so its liveness (and a `gateway` target
/// over `ws://`) is an HTTP `GET /`.
public struct JinaReadinessChecker: ReadinessChecker {
    /// Creates a checker.
    public init() {}

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
