/// Runs one round for one target (docs/semantics.md §2): up to `attempts` attempts, `retryDelay` apart, each
/// bounded by the timeout; stops as soon as the verdict is known. A failed flow/deployment round then asks the
/// gateway's liveness once, so the record says which layer failed.
public struct RoundRunner: Sendable {
    /// Who is probed.
    public let target: Target
    /// How.
    public let policy: ProbePolicy
    private let checker: any ReadinessChecker

    /// Creates a runner for one target.
    public init(target: Target, policy: ProbePolicy, checker: any ReadinessChecker) {
        self.target = target
        self.policy = policy
        self.checker = checker
    }

    /// Runs the round of slot `scheduledMs`. Returns `nil` only when cancelled: a round cut short is no evidence.
    ///
    /// - parameters:
    ///   - everyAttempt: makes all of the policy's attempts even once the verdict is known, as `jina ping` does,
    ///     so that the share of lost attempts means something.
    ///   - onAttempt: hears each attempt as soon as it ends.
    public func run(scheduledMs: Int64, clock: RunClock, everyAttempt: Bool = false,
                    onAttempt: (AttemptRecord) -> Void = { _ in }) async -> RoundRecord? {
        let firstStart = ContinuousClock.now
        var attempts: [AttemptRecord] = []
        var verdict: RoundVerdict?
        while attempts.count < policy.attempts, everyAttempt || verdict == nil, !Task.isCancelled {
            if !attempts.isEmpty, policy.retryDelayMs > 0 {
                try? await Task.sleep(for: .milliseconds(policy.retryDelayMs))
            }
            attempts.append(await attempt(.readiness, number: attempts.count + 1, clock: clock,
                                          timeoutMs: policy.timeoutMs))
            onAttempt(attempts[attempts.count - 1])
            verdict = policy.verdict(after: attempts)
        }
        let verdictInstant = ContinuousClock.now
        if verdict == .down, target.kind.checksGatewayLayer {
            let elapsedMs = clock.milliseconds(at: verdictInstant) - scheduledMs
            attempts.append(await attempt(.gatewayLiveness, number: 1, clock: clock,
                                          timeoutMs: policy.gatewayLivenessTimeoutMs(elapsedMs: elapsedMs)))
            onAttempt(attempts[attempts.count - 1])
        }
        guard !Task.isCancelled, let verdict else { return nil }
        return RoundRecord(
            scheduledMs: scheduledMs, verdict: verdict,
            startLagMs: max(0, clock.milliseconds(at: firstStart) - scheduledMs),
            durationUs: (verdictInstant - firstStart).wholeMicroseconds, attempts: attempts)
    }

    private func attempt(_ role: AttemptRecord.Role, number: Int, clock: RunClock, timeoutMs: Int64) async
        -> AttemptRecord
    {
        let timeout = Duration.milliseconds(timeoutMs)
        let start = ContinuousClock.now
        let (target, checker) = (self.target, self.checker)
        let deadlineHit = CheckOutcome(failure: FailureDetail(
            .timeout, message: "no answer within the \(timeoutMs)ms deadline"))
        let outcome = await withDeadline(timeout, onTimeout: deadlineHit) {
            await checker.check(target, role: role, timeout: timeout)
        }
        return AttemptRecord(
            role: role, number: number, startedMs: clock.milliseconds(at: start),
            durationUs: (ContinuousClock.now - start).wholeMicroseconds, rawCode: outcome.rawCode,
            failure: outcome.failure)
    }
}
