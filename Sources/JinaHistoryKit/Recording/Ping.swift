import Foundation

/// `jina ping` with history: one round that makes every attempt (as `jina ping` does), and, when asked, that
/// round written to the history database as a run of its own, started and stopped cleanly, so reports count it
/// like any recorded round and never as a crashed recorder.
public struct Ping: Sendable {
    /// Pause between two attempts, as `jina ping`'s one second, but never after the last attempt.
    public static let pauseBetweenAttemptsMs: Int64 = 1_000

    /// The target and the policy its round follows.
    public let scheduled: ScheduledTarget
    private let checker: any ReadinessChecker

    /// Prepares a ping of `target`.
    ///
    /// - throws: ``JinaHistoryError`` when the numbers do not make a policy.
    public init(target: Target, timeoutMs: Int64, attempts: Int, minSuccesses: Int,
                checker: any ReadinessChecker) throws {
        guard attempts >= 1 else { throw JinaHistoryError.badInput("--attempts must be 1 or more") }
        guard timeoutMs >= 1 else {
            throw JinaHistoryError.badInput(
                "--timeout must be 1 or more milliseconds; every jina-history call has a deadline")
        }
        let policy = try ProbePolicy(
            intervalMs: max(10, timeoutMs), timeoutMs: timeoutMs, attempts: attempts,
            retryDelayMs: Self.pauseBetweenAttemptsMs, minSuccesses: minSuccesses)
        scheduled = ScheduledTarget(target: target, policy: policy)
        self.checker = checker
    }

    /// Makes the attempts; `onAttempt` hears each one as it ends. `nil` only when cancelled.
    public func run(clock: RunClock, onAttempt: (AttemptRecord) -> Void = { _ in }) async -> RoundRecord? {
        let runner = RoundRunner(target: scheduled.target, policy: scheduled.policy, checker: checker)
        return await runner.run(scheduledMs: clock.startMs, clock: clock, everyAttempt: true, onAttempt: onAttempt)
    }

    /// Writes `round` as a run of its own, with the state change it makes from unknown.
    ///
    /// - throws: ``JinaHistoryError`` when the database cannot be written.
    public func record(_ round: RoundRecord, clock: RunClock, into writer: HistoryWriter, version: String) throws {
        let (runId, targetIds) = try writer.beginRun(
            startedMs: clock.startMs, host: ProcessInfo.processInfo.hostName,
            pid: Int(ProcessInfo.processInfo.processIdentifier), version: version, targets: [scheduled])
        var machine = StateMachine()
        let recorded = RecordedRound(targetId: targetIds[0], round: round, transition: machine.observe(round))
        let endMs = max(clock.nowMs(), round.verdictMs)
        try writer.append([recorded], runId: runId, heartbeatMs: endMs)
        try writer.finishRun(runId, stoppedMs: endMs)
    }
}
