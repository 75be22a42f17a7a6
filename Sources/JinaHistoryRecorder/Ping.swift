import Foundation
public import JinaHistoryCore

/// `jina ping` with history: one round that makes every attempt (as `jina ping` does), and, when asked, that
/// round written to the history database as a run of its own, started and stopped cleanly, so reports count it
/// like any recorded round and never as a crashed recorder.
///
/// A recorded ping is one point of a series (a cron job, a deploy script): with `everyMs`, the period of that
/// series, its verdict holds until the target's next round, within the staleness cap a recorder round at that
/// interval has (`2 × every + its duration`), so a series of pings counts time as a recorder does. Without it,
/// the ping vouches for no time: its round, attempts and latency count, but not up or down seconds
/// (docs/semantics.md §5).
public struct Ping: Sendable {
    /// Pause between two attempts, as `jina ping`'s one second, but never after the last attempt.
    public static let pauseBetweenAttemptsMs: Int64 = 1_000

    /// The target and the policy its round follows.
    public let scheduled: ScheduledTarget
    /// The period of the series this ping belongs to, if it is one.
    public let everyMs: Int64?
    private let checker: any ReadinessChecker

    /// Prepares a ping of `target`.
    ///
    /// - throws: ``JinaHistoryError`` when the numbers do not make a policy: at least one attempt with a deadline
    ///   of 1 ms or more, and a series at least a second apart.
    public init(target: Target, timeoutMs: Int64, attempts: Int, minSuccesses: Int, everyMs: Int64? = nil,
                checker: any ReadinessChecker) throws {
        guard attempts >= 1 else { throw JinaHistoryError.invalid(.attempts, value: "\(attempts)", .belowCount(1)) }
        if let everyMs, everyMs < 1_000 { throw JinaHistoryError.invalid(.every, value: "\(everyMs)ms", .below("1s")) }
        let policy = try ProbePolicy(
            intervalMs: everyMs ?? max(10, timeoutMs), timeoutMs: timeoutMs, attempts: attempts,
            retryDelayMs: Self.pauseBetweenAttemptsMs, minSuccesses: minSuccesses)
        scheduled = ScheduledTarget(target: target, policy: policy)
        self.everyMs = everyMs
        self.checker = checker
    }

    /// Makes the attempts; `onAttempt` hears each one as it ends. `nil` only when cancelled.
    public func run(clock: RunClock, onAttempt: (AttemptRecord) -> Void = { _ in }) async -> RoundRecord? {
        let runner = RoundRunner(target: scheduled.target, policy: scheduled.policy, checker: checker)
        return await runner.run(scheduledMs: clock.startMs, clock: clock, everyAttempt: true, onAttempt: onAttempt)
    }

    /// Until when `round`'s verdict holds, at most: the staleness cap of a round every ``everyMs``, or its own
    /// slot (no time) when the ping is not part of a series. It is the stop mark of the ping's run.
    public func holdsUntilMs(_ round: RoundRecord) -> Int64 {
        everyMs.map { ReportBuilder.verdictCapMs(round, intervalMs: $0) } ?? round.scheduledMs
    }

    /// Writes `round` as a run of its own, with the state change it makes from unknown; the run's stop mark is
    /// ``holdsUntilMs(_:)``.
    ///
    /// - throws: ``JinaHistoryError`` when the database cannot be written.
    public func record(_ round: RoundRecord, clock: RunClock, into writer: any HistoryWriting, version: String) throws {
        let (runId, targetIds) = try writer.beginRun(
            startedMs: clock.startMs, host: ProcessInfo.processInfo.hostName,
            pid: Int(ProcessInfo.processInfo.processIdentifier), version: version, targets: [scheduled])
        var machine = StateMachine()
        let recorded = RecordedRound(targetId: targetIds[0], round: round, transition: machine.observe(round))
        try writer.append([recorded], runId: runId, heartbeatMs: max(clock.nowMs(), round.verdictMs))
        try writer.finishRun(runId, stoppedMs: holdsUntilMs(round))
    }
}
