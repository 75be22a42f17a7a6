import Foundation

/// The chronological evidence of a window for a postmortem (`jina-history timeline`): recorder starts and
/// stops, state changes, every round that was not a plain success with each of its attempts, and the runs of
/// healthy rounds between them collapsed into one entry each. Consecutive failed rounds that failed alike are
/// collapsed too (docs/semantics.md §7): the first and the last in full, those between as one entry.
public struct Timeline: Hashable, Sendable {
    /// One line of evidence.
    public enum Entry: Hashable, Sendable {
        /// A recorder run started.
        case recorderStarted(run: RecorderRunSpan)
        /// A recorder run ended: cleanly, or by a crash after its last heartbeat.
        case recorderEnded(run: RecorderRunSpan, crashed: Bool)
        /// A target's state changed.
        case transition(target: String, Transition)
        /// A round that failed, was retried, or never started, with all its attempts.
        case round(target: String, RoundRecord)
        /// Consecutive healthy single-attempt rounds of one target.
        case healthyRounds(target: String, count: Int, lastMs: Int64, meanUs: Int64, maxUs: Int64)
        /// Failed (or skipped) rounds of one target between two listed in full, each failed as the one before them
        /// did: how many, the last one's slot, their readiness attempts' latency (nearest-rank median and max;
        /// `nil` for skipped rounds, which made none) and whether the gateway answered (`nil` when none asked it).
        case similarRounds(target: String, count: Int, lastMs: Int64, latency: Latency?, gatewayUp: Bool?)
        /// A notification of a transition (or a reminder of an outage) to one destination, and what became of it.
        case notification(target: String, NotificationDelivery)
    }

    /// The nearest-rank median and the maximum of some attempts' latencies, in µs.
    public struct Latency: Hashable, Sendable {
        /// The median.
        public var medianUs: Int64
        /// The maximum.
        public var maxUs: Int64
    }

    /// An entry with its time.
    public struct Dated: Hashable, Sendable {
        /// When, UTC epoch ms: a run's start or end, a transition's verdict, a round's (or a healthy run's first) slot.
        public var atMs: Int64
        /// What.
        public var entry: Entry
    }

    /// Entries in time order.
    public var entries: [Dated] = []

    /// Set when `prune` deleted raw rounds from before this time inside the window: those healthy rounds are not
    /// listed (transitions, the rounds of outages and recorder runs are kept; `report` keeps the time and counts).
    public var roundsPrunedBeforeMs: Int64?

    /// Creates an empty timeline.
    public init() {}
}

/// Builds a ``Timeline`` from rounds streamed in slot order; memory grows with the entries, not the rounds (a
/// collapsed stretch of failed rounds keeps one duration per attempt).
public struct TimelineBuilder: Sendable {
    private let window: ReportWindow
    private let collapsing: Bool
    private var timeline = Timeline()
    /// Per target: the stretch of alike failed rounds being collapsed.
    private var failing: [String: FailingStretch] = [:]
    /// Per target: its transitions' times and causing rounds, to end a stretch a transition interrupts.
    private var transitions: [String: [(atMs: Int64, roundMs: Int64)]] = [:]
    /// Per target: the healthy stretch being collapsed (its recorder run, first slot, count, total and max
    /// latency, last slot).
    private var healthy: [String: (run: Int64, firstMs: Int64, count: Int, totalUs: Int64, maxUs: Int64, lastMs: Int64)] = [:]

    /// Starts a timeline of `window`; `collapsing` off lists every failed round in full (`--every-round`).
    public init(window: ReportWindow, collapsing: Bool = true) {
        self.window = window
        self.collapsing = collapsing
    }

    /// Adds the runs whose start or end falls in the window.
    public mutating func add(runs: [RecorderRunSpan], staleAfterMs: Int64) {
        for run in runs {
            if contains(run.startedMs) { timeline.entries.append(.init(atMs: run.startedMs, entry: .recorderStarted(run: run))) }
            let ending = run.ending(nowMs: window.nowMs, staleAfterMs: staleAfterMs)
            let endMs = run.stoppedMs ?? run.heartbeatMs
            if ending != .running, contains(endMs) {
                timeline.entries.append(.init(atMs: endMs, entry: .recorderEnded(run: run, crashed: ending == .crashed)))
            }
        }
    }

    /// Adds a state change; add a target's transitions before its rounds, so that they end collapsed stretches.
    public mutating func add(_ transition: Transition, target: String) {
        guard contains(transition.atMs) else { return }
        timeline.entries.append(.init(atMs: transition.atMs, entry: .transition(target: target, transition)))
        transitions[target, default: []].append((transition.atMs, transition.roundScheduledMs))
    }

    /// Adds a notification, dated when it was queued; add a target's transitions before its notifications. One
    /// that tells of a transition its stretch's own rounds caused does not end a collapsed stretch (as that
    /// transition does not); a reminder does.
    public mutating func add(_ delivery: NotificationDelivery, target: String) {
        guard contains(delivery.queuedMs) else { return }
        timeline.entries.append(.init(atMs: delivery.queuedMs, entry: .notification(target: target, delivery)))
        let causingRoundMs = delivery.event == .reminder
            ? nil : transitions[target]?.first { $0.atMs == delivery.transitionAtMs }?.roundMs
        transitions[target, default: []].append((delivery.queuedMs, causingRoundMs ?? Int64.min))
    }

    /// Adds a round of `target` made by recorder run `run`; rounds of one target must come in slot order. A
    /// healthy stretch never spans two recorder runs: the restart between them is evidence too.
    public mutating func add(_ round: RoundRecord, target: String, run runId: Int64) {
        guard contains(round.scheduledMs) else { return }
        if healthy[target].map({ $0.run != runId }) ?? false { closeHealthyRun(of: target) }
        if collapsing, round.verdict != .up {
            if var stretch = failing[target], stretch.continues(with: round, run: runId),
               !interrupted(target, after: stretch.lastMs, until: round.scheduledMs, since: stretch.firstMs) {
                stretch.add(round)
                failing[target] = stretch
                return
            }
            closeFailingStretch(of: target)
            closeHealthyRun(of: target)
            timeline.entries.append(.init(atMs: round.scheduledMs, entry: .round(target: target, round)))
            failing[target] = FailingStretch(first: round, run: runId)
            return
        }
        closeFailingStretch(of: target)
        if round.isInlineHealthy {
            let latency = round.attempts[0].durationUs
            if var run = healthy[target] {
                run.count += 1
                run.totalUs += latency
                run.maxUs = max(run.maxUs, latency)
                run.lastMs = round.scheduledMs
                healthy[target] = run
            } else {
                healthy[target] = (runId, round.scheduledMs, 1, latency, latency, round.scheduledMs)
            }
            return
        }
        closeHealthyRun(of: target)
        timeline.entries.append(.init(atMs: round.scheduledMs, entry: .round(target: target, round)))
    }

    /// The timeline, in time order (ties: as added).
    public func finish() -> Timeline {
        var copy = self
        for target in healthy.keys.sorted() { copy.closeHealthyRun(of: target) }
        for target in failing.keys.sorted() { copy.closeFailingStretch(of: target) }
        var timeline = copy.timeline
        let ordered = timeline.entries.enumerated().sorted { ($0.element.atMs, $0.offset) < ($1.element.atMs, $1.offset) }
        timeline.entries = ordered.map(\.element)
        return timeline
    }

    private mutating func closeHealthyRun(of target: String) {
        guard let run = healthy.removeValue(forKey: target) else { return }
        timeline.entries.append(.init(atMs: run.firstMs, entry: .healthyRounds(
            target: target, count: run.count, lastMs: run.lastMs, meanUs: run.totalUs / Int64(run.count),
            maxUs: run.maxUs)))
    }

    /// Whether a transition of `target` other than one its stretch's own rounds caused (the confirmation of the
    /// outage they are part of) came after the stretch's last round and by `untilMs`.
    private func interrupted(_ target: String, after lastMs: Int64, until untilMs: Int64, since firstMs: Int64) -> Bool {
        transitions[target]?.contains { $0.atMs > lastMs && $0.atMs <= untilMs && !(firstMs...lastMs).contains($0.roundMs) }
            ?? false
    }

    /// Lists a stretch's rounds after its first: those between as one entry when there are two or more, then the
    /// last in full.
    private mutating func closeFailingStretch(of target: String) {
        guard let stretch = failing.removeValue(forKey: target), let last = stretch.last else { return }
        if let only = stretch.onlyBetween {
            timeline.entries.append(.init(atMs: only.scheduledMs, entry: .round(target: target, only)))
        } else if let firstMs = stretch.betweenFirstMs {
            let durations = stretch.betweenDurationsUs.sorted()
            timeline.entries.append(.init(atMs: firstMs, entry: .similarRounds(
                target: target, count: stretch.betweenCount, lastMs: stretch.betweenLastMs,
                latency: durations.last.map { Timeline.Latency(medianUs: durations[(durations.count - 1) / 2], maxUs: $0) },
                gatewayUp: stretch.gatewayUp)))
        }
        timeline.entries.append(.init(atMs: last.scheduledMs, entry: .round(target: target, last)))
    }

    private func contains(_ ms: Int64) -> Bool { ms >= window.sinceMs && ms < window.untilMs }
}

/// Failed (or skipped) rounds of one target and run that each failed as the first did: the same verdict, and the
/// same attempts by role and number, with the same error class, code and message (times and durations aside).
private struct FailingStretch: Sendable {
    /// What every round of the stretch shares.
    private struct Likeness: Hashable, Sendable {
        var verdict: RoundVerdict
        var attempts: [Attempt]

        struct Attempt: Hashable, Sendable {
            var role: AttemptRecord.Role
            var number: Int
            var errorClass: ErrorClass?
            var rawCode: Int?
            var message: String?
        }

        init(_ round: RoundRecord) {
            verdict = round.verdict
            attempts = round.attempts.map {
                Attempt(role: $0.role, number: $0.number, errorClass: $0.failure?.errorClass, rawCode: $0.rawCode,
                        message: $0.failure?.message)
            }
        }
    }

    private let likeness: Likeness
    let run: Int64
    /// The first round's slot (it is listed in full already).
    let firstMs: Int64
    /// The readiness attempts' durations of the rounds after the first but the last: the summary's when there are
    /// two or more rounds.
    private(set) var betweenDurationsUs: [Int64] = []
    /// How many rounds that is, and their first and last slot.
    private(set) var betweenCount = 0
    private(set) var betweenFirstMs: Int64?
    private(set) var betweenLastMs: Int64 = 0
    /// That round when it is the only one, listed in full (a summary would not be shorter).
    private(set) var onlyBetween: RoundRecord?
    /// The latest round, listed in full when the stretch ends.
    private(set) var last: RoundRecord?

    init(first: RoundRecord, run: Int64) {
        likeness = Likeness(first)
        self.run = run
        firstMs = first.scheduledMs
    }

    /// The slot of the stretch's latest round.
    var lastMs: Int64 { last?.scheduledMs ?? firstMs }

    /// Whether the gateway answered in these rounds: `nil` when none asked it (the likeness makes them agree).
    var gatewayUp: Bool? {
        likeness.attempts.first { $0.role == .gatewayLiveness }.map { $0.errorClass == nil }
    }

    func continues(with round: RoundRecord, run: Int64) -> Bool { run == self.run && Likeness(round) == likeness }

    mutating func add(_ round: RoundRecord) {
        if let previous = last {
            onlyBetween = betweenFirstMs == nil ? previous : nil
            betweenFirstMs = betweenFirstMs ?? previous.scheduledMs
            betweenLastMs = previous.scheduledMs
            betweenCount += 1
            betweenDurationsUs += previous.attempts.filter { $0.role == .readiness }.map(\.durationUs)
        }
        last = round
    }
}
