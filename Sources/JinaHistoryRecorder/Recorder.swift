import Foundation
import Synchronization
public import JinaHistoryCore

/// Records rounds for many targets into one database until cancelled or until each target has had its
/// `roundLimit` slots (docs/semantics.md §2). When writes fail, probing goes on: rounds wait in a bounded buffer
/// and are written, with a record of the storage fault, as soon as a write succeeds (docs/storage.md).
///
/// Each target runs on its own fixed grid `t0 + phase + k·interval` in its own task (the phases spread the
/// targets evenly over the interval, the first at 0), so a hung target never delays
/// another; a round that overruns its next slots records them as skipped. Finished rounds go to one writer task
/// that commits whatever has accumulated in one transaction and moves the run's heartbeat. On cancellation the
/// rounds in flight are dropped, everything finished is written, and the clean-stop mark closes the run.
public struct Recorder: Sendable {
    /// The heartbeat moves at least this often while recording, even when no round finishes.
    public static let heartbeatInterval = Duration.seconds(1)

    /// Rounds held in memory while storage fails, before the oldest are dropped (a few hundred bytes each): over an
    /// hour of 100 targets at 1 s, the time a central database may take to come back or fail over.
    public static let defaultBufferLimit = 400_000

    private let writer: any HistoryWriting
    private let vantage: String
    private let targets: [ScheduledTarget]
    private let checker: any ReadinessChecker
    private let roundLimit: Int?
    private let bufferLimit: Int
    private let writerThread = WriterThread()
    private let notifications: NotificationSettings?
    private let onEvent: @Sendable (RecorderEvent) -> Void

    /// How the targets' notices are delivered: a channel per destination their ``AlertPolicy`` names, and the
    /// dispatcher's deadlines and retries.
    public struct NotificationSettings: Sendable {
        /// A channel for each destination.
        public var channels: [NotificationDestination: any NotificationChannel]
        /// Deadlines and retries.
        public var dispatch: NotificationDispatcher.Settings

        /// Creates settings.
        public init(channels: [NotificationDestination: any NotificationChannel],
                    dispatch: NotificationDispatcher.Settings = .init()) {
            self.channels = channels
            self.dispatch = dispatch
        }
    }

    /// Prepares a recorder standing at `vantage` (by default its host's name); nothing runs until
    /// ``run(version:)``. With `notifications`, the targets' confirmed transitions are told as their
    /// ``AlertPolicy`` says, once they are stored.
    public init(writer: any HistoryWriting, vantage: String? = nil, targets: [ScheduledTarget],
                checker: any ReadinessChecker,
                roundLimit: Int? = nil, bufferLimit: Int = Recorder.defaultBufferLimit,
                notifications: NotificationSettings? = nil,
                onEvent: @escaping @Sendable (RecorderEvent) -> Void = { _ in }) {
        self.writer = writer
        self.vantage = vantage ?? ProcessInfo.processInfo.hostName
        self.targets = targets
        self.checker = checker
        self.roundLimit = roundLimit
        self.bufferLimit = bufferLimit
        self.notifications = notifications
        self.onEvent = onEvent
    }

    /// Records until the task is cancelled or every target reached the round limit, then stops cleanly.
    ///
    /// - returns: the recorder run's id.
    /// - throws: ``JinaHistoryError`` when the run cannot be started, or when its last batch and stop mark cannot
    ///   be written (naming how many rounds were lost).
    @discardableResult
    public func run(version: String) async throws -> Int64 {
        let clock = RunClock()
        let (runId, targetIds) = try writer.beginRun(
            startedMs: clock.startMs, host: ProcessInfo.processInfo.hostName, vantage: vantage,
            pid: Int(ProcessInfo.processInfo.processIdentifier), version: version, targets: targets, exclusive: true)
        // The grids start once the run is registered, not at the run's start: registering can take a while (a
        // remote database, ten recorders starting together), and slots that passed meanwhile would be late or
        // skipped for no fault of the targets.
        let gridStartMs = clock.nowMs()
        let queue = RoundQueue(limit: bufferLimit)
        let names = Dictionary(uniqueKeysWithValues: zip(targetIds, targets.map(\.target.name)))
        let onEvent = self.onEvent
        let dispatcher = notifications.map { settings in
            NotificationDispatcher(channels: settings.channels, settings: settings.dispatch) { delivery, _ in
                queue.push(delivery)
                onEvent(.notified(target: names[delivery.targetId] ?? "", delivery))
            }
        }
        let destinations = Dictionary(uniqueKeysWithValues: zip(targetIds, targets.map(\.alerts.destinations)))
        let tell: @Sendable ([(notice: TransitionNotice, targetId: Int64)]) -> Void = { notices in
            for (notice, targetId) in notices {
                dispatcher?.send(notice, targetId: targetId, to: destinations[targetId] ?? [])
            }
        }
        let writerTask = Task { await writeLoop(queue: queue, runId: runId, clock: clock, tell: tell) }
        await withTaskGroup(of: Void.self) { group in
            for (index, (scheduled, targetId)) in zip(targets, targetIds).enumerated() {
                // The targets' grids are spread evenly over the interval (the first starts at once), so many
                // targets make a steady trickle of calls instead of one burst per interval: a burst makes the
                // recorder late and can overwhelm a probed service that several targets share.
                let phaseMs = scheduled.policy.intervalMs * Int64(index) / Int64(targets.count)
                group.addTask {
                    await probeLoop(scheduled, targetId: targetId, originMs: gridStartMs + phaseMs, clock: clock,
                                    queue: queue)
                }
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
        var fault = await writerTask.value
        do {
            try await flush(queue: queue, runId: runId, clock: clock, fault: &fault, tell: tell)
            if let dispatcher {
                // The last transitions' notices get their chance within the clean-stop second; then every
                // outcome is stored with the stop.
                await dispatcher.stop()
                try await flush(queue: queue, runId: runId, clock: clock, fault: &fault, tell: tell)
            }
            let stoppedMs = clock.nowMs()
            let writer = self.writer
            try await writerThread.run {
                try writer.finishRun(runId, stoppedMs: stoppedMs)
                writer.checkpoint()
            }
        } catch {
            throw JinaHistoryError.storage(StorageProblem(
                location: writer.location, reason: .unwritten(rounds: queue.pendingCount),
                detail: String(describing: error).oneLine(limit: 500)))
        }
        return runId
    }

    private func probeLoop(_ scheduled: ScheduledTarget, targetId: Int64, originMs: Int64, clock: RunClock,
                           queue: RoundQueue) async {
        let runner = RoundRunner(target: scheduled.target, policy: scheduled.policy, checker: checker)
        let interval = scheduled.policy.intervalMs
        var machine = StateMachine(
            failureThreshold: scheduled.policy.failureThreshold, successThreshold: scheduled.policy.successThreshold)
        var notices = scheduled.alerts.isEnabled && notifications != nil
            ? OutageNoticeTracker(target: scheduled.target, repeatMs: scheduled.alerts.repeatMs,
                                  host: ProcessInfo.processInfo.hostName, vantage: vantage)
            : nil
        var slot: Int64 = 0
        while !Task.isCancelled, roundLimit.map({ slot < $0 }) ?? true {
            let scheduledMs = originMs + slot * interval
            try? await Task.sleep(until: clock.instant(atMs: scheduledMs), clock: .continuous)
            guard let round = await runner.run(scheduledMs: scheduledMs, clock: clock) else { return }
            let transition = machine.observe(round)
            let notice = notices?.observe(round, transition: transition, nowMs: clock.nowMs())
            queue.push(RecordedRound(targetId: targetId, round: round, transition: transition), notice: notice,
                       nowMs: clock.nowMs())
            onEvent(.round(scheduled.target, round, transition))
            // Slots that passed while this round ran never started: record them as skipped.
            let nextSlot = max(slot + 1, (clock.nowMs() - originMs + interval - 1) / interval)
            for skipped in (slot + 1)..<nextSlot where roundLimit.map({ skipped < $0 }) ?? true {
                let round = RoundRecord.skipped(at: originMs + skipped * interval)
                let notice = notices?.observe(round, transition: nil, nowMs: clock.nowMs())
                queue.push(RecordedRound(targetId: targetId, round: round, transition: nil), notice: notice,
                           nowMs: clock.nowMs())
                onEvent(.round(scheduled.target, round, nil))
            }
            slot = nextSlot
        }
    }

    /// Writes whatever is queued, whenever the doorbell rings, until the queue is closed. A failed write keeps
    /// the rounds queued (bounded) and opens a storage fault; the first write that succeeds stores the rounds
    /// and the fault together.
    private func writeLoop(queue: RoundQueue, runId: Int64, clock: RunClock,
                           tell: @escaping @Sendable ([(notice: TransitionNotice, targetId: Int64)]) -> Void) async
        -> StorageFault?
    {
        var fault: StorageFault?
        for await _ in queue.doorbell {
            do {
                try await flush(queue: queue, runId: runId, clock: clock, fault: &fault, tell: tell)
            } catch {
                let nowMs = clock.nowMs()
                let message = String(describing: error).oneLine(limit: 500)
                if var open = fault {
                    open.toMs = nowMs
                    open.failedWrites += 1
                    open.message = message
                    fault = open
                } else {
                    fault = StorageFault(
                        fromMs: nowMs, toMs: nowMs, failedWrites: 1, roundsDropped: 0, message: message)
                }
                var reported = fault!
                reported.roundsDropped += queue.dropped.count
                onEvent(.storageFailed(reported, pendingRounds: queue.pendingCount))
            }
        }
        return fault
    }

    /// Writes what is queued (with the storage fault it ends, if any) on the writer's own thread, so a slow or
    /// locked disk never holds a thread the probes need; drops the rounds from the queue only once committed.
    /// The fault stays open while rounds are still being dropped (they were, while this write waited). Notices
    /// go to `tell` once their rounds are committed: a notification tells of a stored transition.
    private func flush(queue: RoundQueue, runId: Int64, clock: RunClock, fault: inout StorageFault?,
                       tell: @Sendable ([(notice: TransitionNotice, targetId: Int64)]) -> Void) async throws {
        let (queued, dropped, deliveries) = queue.peek()
        let batch = queued.map(\.recorded)
        var ending = fault
        if ending == nil, dropped.count > 0 {
            // Rounds were dropped without a failed write: the writer stalled long enough to fill the buffer.
            ending = StorageFault(fromMs: dropped.firstMs, toMs: 0, failedWrites: 0, roundsDropped: 0,
                                  message: "writes stalled; the round buffer filled up")
        }
        let heartbeatMs = clock.nowMs()
        ending?.toMs = heartbeatMs
        ending?.roundsDropped += dropped.count
        let closing = ending
        let writer = self.writer
        try await writerThread.run {
            try writer.append(batch, deliveries: deliveries, runId: runId, heartbeatMs: heartbeatMs,
                              endingFault: closing)
        }
        queue.remove(batch.count, dropped: dropped.count, deliveries: deliveries.count)
        tell(queued.compactMap { queued in queued.notice.map { ($0, queued.recorded.targetId) } })
        guard let closing else { return }
        if queue.dropped.count > 0 {
            fault = closing
        } else {
            fault = nil
            onEvent(.storageRecovered(closing))
        }
    }
}

/// A finished round and the notice it makes once stored.
private struct QueuedRound: Sendable {
    var recorded: RecordedRound
    var notice: TransitionNotice?
}

/// Finished rounds waiting for the writer, at most `limit` of them (the oldest are dropped and counted beyond
/// that), the notifications' outcomes, and a doorbell that wakes the writer.
private final class RoundQueue: Sendable {
    /// Rounds dropped since the last write that recorded them, and when the first of them was dropped.
    struct Dropped: Sendable {
        var count = 0
        var firstMs: Int64 = 0
    }

    private let limit: Int
    private let state = Mutex<(pending: [QueuedRound], dropped: Dropped, deliveries: [NotificationDelivery])>(
        ([], Dropped(), []))
    private let bell: AsyncStream<Void>.Continuation
    /// Rings when rounds were pushed or the heartbeat is due; ends when the queue is closed.
    let doorbell: AsyncStream<Void>

    init(limit: Int) {
        self.limit = limit
        (doorbell, bell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func push(_ round: RecordedRound, notice: TransitionNotice?, nowMs: Int64) {
        state.withLock { state in
            state.pending.append(QueuedRound(recorded: round, notice: notice))
            if state.pending.count > limit {
                state.pending.removeFirst(state.pending.count - limit)
                if state.dropped.count == 0 { state.dropped.firstMs = nowMs }
                state.dropped.count += 1
            }
        }
        bell.yield()
    }

    /// Keeps a notification's outcome for the next batch (a handful per outage: not bounded).
    func push(_ delivery: NotificationDelivery) {
        state.withLock { $0.deliveries.append(delivery) }
        bell.yield()
    }

    func ring() { bell.yield() }

    var pendingCount: Int { state.withLock { $0.pending.count } }

    var dropped: Dropped { state.withLock { $0.dropped } }

    func peek() -> ([QueuedRound], Dropped, [NotificationDelivery]) {
        state.withLock { ($0.pending, $0.dropped, $0.deliveries) }
    }

    /// Forgets the first `count` rounds and `dropped` of the drop count: they are committed. Rounds dropped
    /// while the write ran were the oldest, so the ones just written: they are neither pending nor lost.
    func remove(_ count: Int, dropped: Int, deliveries: Int) {
        state.withLock { state in
            state.deliveries.removeFirst(deliveries)
            let writtenAnyway = min(state.dropped.count - dropped, count)
            state.pending.removeFirst(count - writtenAnyway)
            state.dropped.count -= dropped + writtenAnyway
        }
    }

    func close() { bell.finish() }
}

/// One dedicated thread for database writes: SQLite calls block (on a lock, a slow disk), and must never hold
/// the cooperative threads that keep the probes on schedule.
private struct WriterThread: Sendable {
    private let queue = DispatchQueue(label: "jina-history.writer")

    func run(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { continuation.resume(with: Result(catching: body)) }
        }
    }
}
