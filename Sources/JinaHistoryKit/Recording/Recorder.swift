import Foundation
import Synchronization

/// Records rounds for many targets into one database until cancelled or until each target has had its
/// `roundLimit` slots (docs/semantics.md §2).
///
/// Each target runs on its own fixed grid `t0 + k·interval` in its own task, so a hung target never delays
/// another; a round that overruns its next slots records them as skipped. Finished rounds go to one writer task
/// that commits whatever has accumulated in one transaction and moves the run's heartbeat. On cancellation the
/// rounds in flight are dropped, everything finished is written, and the clean-stop mark closes the run.
public struct Recorder: Sendable {
    /// The heartbeat moves at least this often while recording, even when no round finishes.
    public static let heartbeatInterval = Duration.seconds(1)

    /// What a caller hears about as recording goes on.
    public enum Event: Sendable {
        /// A round finished (and will be written with the next batch).
        case round(Target, RoundRecord, Transition?)
        /// A batch could not be written; it stays queued and is retried with the next one.
        case storageFailed(String)
    }

    private let writer: HistoryWriter
    private let targets: [ScheduledTarget]
    private let checker: any ReadinessChecker
    private let roundLimit: Int?
    private let onEvent: @Sendable (Event) -> Void

    /// Prepares a recorder; nothing runs until ``run(version:)``.
    public init(writer: HistoryWriter, targets: [ScheduledTarget], checker: any ReadinessChecker,
                roundLimit: Int? = nil, onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.writer = writer
        self.targets = targets
        self.checker = checker
        self.roundLimit = roundLimit
        self.onEvent = onEvent
    }

    /// Records until the task is cancelled or every target reached the round limit, then stops cleanly.
    ///
    /// - returns: the recorder run's id.
    /// - throws: ``JinaHistoryError`` when the run cannot be started or its last batch and stop mark cannot be
    ///   written.
    @discardableResult
    public func run(version: String) async throws -> Int64 {
        let clock = RunClock()
        let (runId, targetIds) = try writer.beginRun(
            startedMs: clock.startMs, host: ProcessInfo.processInfo.hostName,
            pid: Int(ProcessInfo.processInfo.processIdentifier), version: version, targets: targets, exclusive: true)
        let queue = RoundQueue()
        let writerTask = Task { await writeLoop(queue: queue, runId: runId, clock: clock) }
        await withTaskGroup(of: Void.self) { group in
            for (scheduled, targetId) in zip(targets, targetIds) {
                group.addTask { await probeLoop(scheduled, targetId: targetId, clock: clock, queue: queue) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.heartbeatInterval)
                    queue.ring()
                }
            }
            // The heartbeat task ends only by cancellation: wait for the targets, then stop it.
            for _ in targets { await group.next() }
            group.cancelAll()
        }
        queue.close()
        await writerTask.value
        try flush(queue: queue, runId: runId, heartbeatMs: clock.nowMs())
        try writer.finishRun(runId, stoppedMs: clock.nowMs())
        return runId
    }

    private func probeLoop(_ scheduled: ScheduledTarget, targetId: Int64, clock: RunClock, queue: RoundQueue) async {
        let runner = RoundRunner(target: scheduled.target, policy: scheduled.policy, checker: checker)
        let interval = scheduled.policy.intervalMs
        var machine = StateMachine(
            failureThreshold: scheduled.policy.failureThreshold, successThreshold: scheduled.policy.successThreshold)
        var slot: Int64 = 0
        while !Task.isCancelled, roundLimit.map({ slot < $0 }) ?? true {
            let scheduledMs = clock.startMs + slot * interval
            try? await Task.sleep(until: clock.instant(atMs: scheduledMs), clock: .continuous)
            guard let round = await runner.run(scheduledMs: scheduledMs, clock: clock) else { return }
            let transition = machine.observe(round)
            queue.push(RecordedRound(targetId: targetId, round: round, transition: transition))
            onEvent(.round(scheduled.target, round, transition))
            // Slots that passed while this round ran never started: record them as skipped.
            let nextSlot = max(slot + 1, (clock.nowMs() - clock.startMs + interval - 1) / interval)
            for skipped in (slot + 1)..<nextSlot where roundLimit.map({ skipped < $0 }) ?? true {
                let round = RoundRecord.skipped(at: clock.startMs + skipped * interval)
                queue.push(RecordedRound(targetId: targetId, round: round, transition: nil))
                onEvent(.round(scheduled.target, round, nil))
            }
            slot = nextSlot
        }
    }

    private func writeLoop(queue: RoundQueue, runId: Int64, clock: RunClock) async {
        for await _ in queue.doorbell {
            do {
                try flush(queue: queue, runId: runId, heartbeatMs: clock.nowMs())
            } catch {
                onEvent(.storageFailed(String(describing: error)))
            }
        }
    }

    /// Writes what is queued; drops it from the queue only once committed.
    private func flush(queue: RoundQueue, runId: Int64, heartbeatMs: Int64) throws {
        let batch = queue.peek()
        try writer.append(batch, runId: runId, heartbeatMs: heartbeatMs)
        queue.remove(batch.count)
    }
}

/// Finished rounds waiting for the writer, and a doorbell that wakes it.
private final class RoundQueue: Sendable {
    private let pending = Mutex<[RecordedRound]>([])
    private let bell: AsyncStream<Void>.Continuation
    /// Rings when rounds were pushed or the heartbeat is due; ends when the queue is closed.
    let doorbell: AsyncStream<Void>

    init() {
        (doorbell, bell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func push(_ round: RecordedRound) {
        pending.withLock { $0.append(round) }
        bell.yield()
    }

    func ring() { bell.yield() }

    func peek() -> [RecordedRound] { pending.withLock { $0 } }

    func remove(_ count: Int) { pending.withLock { $0.removeFirst(count) } }

    func close() { bell.finish() }
}
