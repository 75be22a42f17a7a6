import Foundation
import Synchronization
public import JinaHistoryCore

/// Delivers notices off the probing path (docs/notifications.md): one queue per destination, worked by its own
/// task, so a slow or dead receiver delays only its own later notices, never a probe or another destination.
/// Each attempt has a deadline; failed ones are retried with backoff, a bounded number of times. Every outcome
/// is handed to `onDelivery`, which the recorder stores.
///
/// ``stop()`` gives what is still pending one more attempt within ``Settings/stopGraceMs`` (backoff cut short);
/// what that cannot reach is reported as ``NotificationDelivery/Outcome/notSent``.
public final class NotificationDispatcher: Sendable {
    /// Deadlines and retries.
    public struct Settings: Sendable {
        /// Deadline of one attempt.
        public var timeoutMs: Int64
        /// Attempts per notice and destination, the first included.
        public var attempts: Int
        /// Pause before the second attempt; it doubles before each later one.
        public var backoffMs: Int64
        /// The time a stopping recorder gives pending notices.
        public var stopGraceMs: Int64

        /// Creates settings; the defaults are `record`'s.
        public init(timeoutMs: Int64 = 5_000, attempts: Int = 3, backoffMs: Int64 = 1_000, stopGraceMs: Int64 = 1_000) {
            self.timeoutMs = timeoutMs
            self.attempts = attempts
            self.backoffMs = backoffMs
            self.stopGraceMs = stopGraceMs
        }
    }

    private let lanes: [NotificationDestination: Lane]
    private let workers: [Task<Void, Never>]

    /// Starts one worker per destination; `onDelivery` gets every outcome with the notice it was for.
    public init(channels: [NotificationDestination: any NotificationChannel], settings: Settings = Settings(),
                onDelivery: @escaping @Sendable (NotificationDelivery, TransitionNotice) -> Void) {
        let lanes = channels.mapValues { Lane(channel: $0, settings: settings, onDelivery: onDelivery) }
        self.lanes = lanes
        workers = lanes.values.map { lane in Task { await lane.work() } }
    }

    /// Queues `notice` (of target row `targetId`) for each of `destinations`; returns at once.
    public func send(_ notice: TransitionNotice, targetId: Int64, to destinations: [NotificationDestination]) {
        let queuedMs = RunClock.wallNowMs()
        for destination in destinations {
            lanes[destination]?.enqueue(Job(notice: notice, targetId: targetId, queuedMs: queuedMs))
        }
    }

    /// Takes no more notices, gives the pending ones their last attempt within the grace and returns when every
    /// outcome has been handed over.
    public func stop() async {
        let deadline = ContinuousClock.now + .milliseconds(lanes.values.first?.settings.stopGraceMs ?? 0)
        for lane in lanes.values { lane.close(stopAt: deadline) }
        for worker in workers { await worker.value }
    }
}

/// A notice waiting for one destination.
private struct Job: Sendable {
    var notice: TransitionNotice
    var targetId: Int64
    var queuedMs: Int64
}

/// One destination's queue and the loop that works it.
private final class Lane: Sendable {
    let settings: NotificationDispatcher.Settings
    private let channel: any NotificationChannel
    private let onDelivery: @Sendable (NotificationDelivery, TransitionNotice) -> Void
    private let state = Mutex<(jobs: [Job], stopAt: ContinuousClock.Instant?)>(([], nil))
    private let bell: AsyncStream<Void>.Continuation
    private let doorbell: AsyncStream<Void>

    init(channel: any NotificationChannel, settings: NotificationDispatcher.Settings,
         onDelivery: @escaping @Sendable (NotificationDelivery, TransitionNotice) -> Void) {
        self.channel = channel
        self.settings = settings
        self.onDelivery = onDelivery
        (doorbell, bell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func enqueue(_ job: Job) {
        state.withLock { $0.jobs.append(job) }
        bell.yield()
    }

    func close(stopAt: ContinuousClock.Instant) {
        state.withLock { $0.stopAt = stopAt }
        bell.finish()
    }

    func work() async {
        for await _ in doorbell {
            while let job = next() { await deliver(job) }
        }
        while let job = next() { await deliver(job) }
    }

    private func next() -> Job? {
        state.withLock { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
    }

    private var stopAt: ContinuousClock.Instant? { state.withLock { $0.stopAt } }

    /// Attempts until accepted, out of attempts, or stopped: once stopping, one more attempt if the grace
    /// allows, and none after it.
    private func deliver(_ job: Job) async {
        var attempts = 0
        var last: NotificationAnswer?
        while attempts < settings.attempts {
            var timeoutMs = settings.timeoutMs
            let stoppingBefore = stopAt
            if let stoppingBefore {
                let leftMs = Self.milliseconds(from: .now, to: stoppingBefore)
                guard leftMs > 0 else { break }
                timeoutMs = min(timeoutMs, leftMs)
            }
            attempts += 1
            let answer = await attempt(job.notice, timeoutMs: timeoutMs)
            last = answer
            if answer.accepted || stoppingBefore != nil || attempts == settings.attempts { break }
            await pause(Duration.milliseconds(settings.backoffMs << (attempts - 1)))
        }
        let outcome: NotificationDelivery.Outcome =
            last?.accepted == true ? .sent : attempts == 0 ? .notSent : .failed
        onDelivery(NotificationDelivery(
            targetId: job.targetId, event: job.notice.event, transitionAtMs: job.notice.transitionAtMs,
            queuedMs: job.queuedMs, finishedMs: RunClock.wallNowMs(), destination: channel.destination,
            attempts: attempts, outcome: outcome, status: last?.status,
            error: outcome == .notSent ? "the recorder stopped before it could be sent" : last?.error ?? ""), job.notice)
    }

    /// One attempt, cut short when the stop's grace ends first (an attempt begun before the stop has the longer
    /// deadline).
    private func attempt(_ notice: TransitionNotice, timeoutMs: Int64) async -> NotificationAnswer {
        await withTaskGroup(of: NotificationAnswer?.self) { group in
            group.addTask { [channel] in await channel.deliver(notice, timeoutMs: timeoutMs) }
            group.addTask { [self] in
                while !Task.isCancelled {
                    if let stopAt, ContinuousClock.now >= stopAt { return nil }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? NotificationAnswer(accepted: false, status: nil, error: "cut short: the recorder stopped")
        }
    }

    /// Waits `pause`, or less once the recorder stops (the grace is for the last attempt, not for backoff).
    private func pause(_ pause: Duration) async {
        let end = ContinuousClock.now + pause
        while ContinuousClock.now < end, stopAt == nil {
            try? await Task.sleep(for: min(.milliseconds(20), end - .now))
        }
    }

    private static func milliseconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Int64 {
        let components = (end - start).components
        return components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }
}
