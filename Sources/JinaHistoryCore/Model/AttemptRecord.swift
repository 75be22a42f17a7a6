/// One readiness call, bounded by one deadline: when it started, how long it took, and how it ended.
public struct AttemptRecord: Hashable, Codable, Sendable {
    /// What an attempt asked.
    public enum Role: Int, Codable, Sendable {
        /// The target's readiness check.
        case readiness = 0
        /// The gateway liveness check a failed flow/deployment round makes, to tell which layer failed.
        case gatewayLiveness = 1
    }

    /// What this attempt asked.
    public var role: Role
    /// 1-based attempt number within its round and role.
    public var number: Int
    /// Wall-clock start, UTC epoch milliseconds.
    public var startedMs: Int64
    /// Duration measured on the monotonic clock, in microseconds.
    public var durationUs: Int64
    /// The raw code the peer gave (gRPC status, Jina status code), when there was one.
    public var rawCode: Int?
    /// Why it failed; `nil` when it succeeded.
    public var failure: FailureDetail?

    /// Creates an attempt record.
    public init(role: Role = .readiness, number: Int, startedMs: Int64, durationUs: Int64,
                rawCode: Int? = nil, failure: FailureDetail? = nil) {
        self.role = role
        self.number = number
        self.startedMs = startedMs
        self.durationUs = durationUs
        self.rawCode = rawCode
        self.failure = failure
    }

    /// Whether the attempt succeeded.
    public var succeeded: Bool { failure == nil }
}
