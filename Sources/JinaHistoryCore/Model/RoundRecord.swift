/// A round's outcome.
public enum RoundVerdict: Int, Codable, Sendable {
    /// The round could not reach its successes.
    case down = 0
    /// Enough attempts succeeded.
    case up = 1
    /// The slot never started because the previous round was still running.
    case skipped = 2
}

/// One scheduled slot of one target and every attempt it made.
public struct RoundRecord: Hashable, Codable, Sendable {
    /// The grid time of the slot, UTC epoch milliseconds.
    public var scheduledMs: Int64
    /// Up, down or skipped.
    public var verdict: RoundVerdict
    /// First attempt's start minus the slot, in milliseconds.
    public var startLagMs: Int64
    /// From the first attempt's start to the verdict, in microseconds (monotonic clock).
    public var durationUs: Int64
    /// Every attempt, readiness and gateway-liveness alike, in the order made.
    public var attempts: [AttemptRecord]

    /// Creates a round record.
    public init(scheduledMs: Int64, verdict: RoundVerdict, startLagMs: Int64 = 0, durationUs: Int64 = 0,
                attempts: [AttemptRecord] = []) {
        self.scheduledMs = scheduledMs
        self.verdict = verdict
        self.startLagMs = startLagMs
        self.durationUs = durationUs
        self.attempts = attempts
    }

    /// A slot that never ran because the round before it was still running.
    public static func skipped(at scheduledMs: Int64) -> RoundRecord {
        RoundRecord(scheduledMs: scheduledMs, verdict: .skipped)
    }

    /// Readiness attempts only.
    public var readinessAttempts: [AttemptRecord] { attempts.filter { $0.role == .readiness } }

    /// The first failure of the round's readiness attempts, the one outages and transitions quote.
    public var firstFailure: FailureDetail? { readinessAttempts.lazy.compactMap(\.failure).first }

    /// Whether storage can keep this round as one row with its single successful attempt inline.
    public var isInlineHealthy: Bool { verdict == .up && attempts.count == 1 && attempts[0].succeeded }

    /// Gives a round read back from storage without attempts its inline one, if it is up (``isInlineHealthy``).
    public mutating func restoreInlineAttempt() {
        guard attempts.isEmpty, verdict == .up else { return }
        attempts = [AttemptRecord(number: 1, startedMs: scheduledMs + startLagMs, durationUs: durationUs)]
    }

    /// When the verdict was known: slot + lag + duration, in UTC epoch milliseconds.
    public var verdictMs: Int64 { scheduledMs + startLagMs + durationUs / 1_000 }
}
