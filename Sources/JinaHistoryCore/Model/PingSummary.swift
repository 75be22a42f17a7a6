/// The closing numbers of `jina-history ping`: what `jina ping` logs at debug level (average latency, share of
/// attempts lost), always shown, and the verdict its exit code follows.
public struct PingSummary: Hashable, Sendable {
    /// Readiness attempts made.
    public var attempts: Int
    /// Readiness attempts that succeeded.
    public var successes: Int
    /// Successes needed for a ready verdict.
    public var minSuccesses: Int
    /// Mean duration of the successful attempts, in microseconds; `nil` when none succeeded.
    public var meanLatencyUs: Int64?

    /// Summarises a ping round.
    public init(round: RoundRecord, minSuccesses: Int) {
        let readiness = round.readinessAttempts
        let succeeded = readiness.filter(\.succeeded)
        attempts = readiness.count
        successes = succeeded.count
        self.minSuccesses = minSuccesses
        meanLatencyUs = succeeded.isEmpty ? nil : succeeded.map(\.durationUs).reduce(0, +) / Int64(succeeded.count)
    }

    /// Whether enough attempts succeeded: `jina ping`'s exit 0.
    public var ready: Bool { successes >= minSuccesses }

    /// Failed attempts as a whole percentage of all attempts, rounded as `jina ping` rounds it.
    public var lostPercent: Int { attempts == 0 ? 0 : Int((Double(attempts - successes) * 100 / Double(attempts)).rounded()) }
}
