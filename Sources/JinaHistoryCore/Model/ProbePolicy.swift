/// How one target is probed: schedule, deadline, retries and hysteresis (docs/semantics.md §2 and §4).
public struct ProbePolicy: Hashable, Codable, Sendable {
    /// Distance between scheduled rounds, in milliseconds.
    public var intervalMs: Int64
    /// Deadline of one attempt, in milliseconds: connect, call and reading the answer included.
    public var timeoutMs: Int64
    /// Attempts in a round at most (`1 + retries`).
    public var attempts: Int
    /// Pause between two attempts of a round, in milliseconds.
    public var retryDelayMs: Int64
    /// Successful attempts that make a round up.
    public var minSuccesses: Int
    /// Consecutive down rounds that turn an up target down.
    public var failureThreshold: Int
    /// Consecutive up rounds that turn a down target up.
    public var successThreshold: Int

    /// Creates a policy, checking that its numbers make sense together.
    ///
    /// - throws: ``JinaHistoryError`` naming the flag that is out of range.
    public init(intervalMs: Int64, timeoutMs: Int64, attempts: Int = 1, retryDelayMs: Int64 = 0,
                minSuccesses: Int = 1, failureThreshold: Int = 1, successThreshold: Int = 1) throws {
        guard intervalMs >= 10 else { throw JinaHistoryError.invalid(.interval, value: "\(intervalMs)ms", .below("10ms")) }
        guard timeoutMs >= 1 else { throw JinaHistoryError.invalid(.timeout, value: "\(timeoutMs)ms", .below("1ms")) }
        guard attempts >= 1 else { throw JinaHistoryError.invalid(.retries, value: "\(attempts - 1)", .belowCount(0)) }
        guard retryDelayMs >= 0 else {
            throw JinaHistoryError.invalid(.retryDelay, value: "\(retryDelayMs)ms", .belowCount(0))
        }
        guard (1...attempts).contains(minSuccesses) else {
            throw JinaHistoryError.invalid(.minSuccessfulAttempts, value: "\(minSuccesses)", .moreSuccessesThanAttempts)
        }
        guard failureThreshold >= 1 else {
            throw JinaHistoryError.invalid(.failureThreshold, value: "\(failureThreshold)", .belowCount(1))
        }
        guard successThreshold >= 1 else {
            throw JinaHistoryError.invalid(.successThreshold, value: "\(successThreshold)", .belowCount(1))
        }
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
        self.attempts = attempts
        self.retryDelayMs = retryDelayMs
        self.minSuccesses = minSuccesses
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
    }

    /// The longest a round can take: every attempt to its deadline, with the pauses between them.
    public var longestRoundMs: Int64 { Int64(attempts) * timeoutMs + Int64(attempts - 1) * retryDelayMs }

    /// The deadline of the gateway-liveness call a failed flow or deployment round makes `elapsedMs` after its
    /// slot: the time left before the next slot, so the layer check never makes a round skip a slot its attempts
    /// did not, but at least a second (as `jina ping`'s gateway check has) and at most the timeout.
    public func gatewayLivenessTimeoutMs(elapsedMs: Int64) -> Int64 {
        min(timeoutMs, max(min(timeoutMs, 1_000), intervalMs - elapsedMs))
    }

    /// The verdict once `attempts` are known, or `nil` while more attempts could still change it.
    public func verdict(after attempts: [AttemptRecord]) -> RoundVerdict? {
        let successes = attempts.count(where: \.succeeded)
        if successes >= minSuccesses { return .up }
        let remaining = self.attempts - attempts.count
        return successes + remaining < minSuccesses ? .down : nil
    }
}
