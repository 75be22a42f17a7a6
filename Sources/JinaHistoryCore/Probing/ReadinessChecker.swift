/// What one readiness call found: a raw code when the peer gave one, and the failure if it was not ready.
public struct CheckOutcome: Hashable, Sendable {
    /// gRPC status, Jina status code or health status, when the peer answered with one.
    public var rawCode: Int?
    /// `nil` when ready.
    public var failure: FailureDetail?

    /// Creates an outcome.
    public init(rawCode: Int? = nil, failure: FailureDetail? = nil) {
        self.rawCode = rawCode
        self.failure = failure
    }

    /// A ready answer.
    public static let ready = CheckOutcome()
}

/// Makes one readiness call. Implementations never throw: every failure is data.
public protocol ReadinessChecker: Sendable {
    /// Asks `target` once. `role` says whether to run its readiness check or its gateway's liveness check.
    /// Implementations should give up by `timeout`; the caller enforces it regardless.
    func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome
}
