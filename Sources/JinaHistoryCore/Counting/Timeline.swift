import Foundation

/// The chronological evidence of a window for a postmortem (`jina-history timeline`): recorder starts and
/// stops, state changes, every round that was not a plain success with each of its attempts, and the runs of
/// healthy rounds between them collapsed into one entry each.
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

/// Builds a ``Timeline`` from rounds streamed in slot order; memory grows with the entries, not the rounds.
public struct TimelineBuilder: Sendable {
    private let window: ReportWindow
    private var timeline = Timeline()
    /// Per target: the healthy stretch being collapsed (its recorder run, first slot, count, total and max
    /// latency, last slot).
    private var healthy: [String: (run: Int64, firstMs: Int64, count: Int, totalUs: Int64, maxUs: Int64, lastMs: Int64)] = [:]

    /// Starts a timeline of `window`.
    public init(window: ReportWindow) {
        self.window = window
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

    /// Adds a state change.
    public mutating func add(_ transition: Transition, target: String) {
        guard contains(transition.atMs) else { return }
        timeline.entries.append(.init(atMs: transition.atMs, entry: .transition(target: target, transition)))
    }

    /// Adds a round of `target` made by recorder run `run`; rounds of one target must come in slot order. A
    /// healthy stretch never spans two recorder runs: the restart between them is evidence too.
    public mutating func add(_ round: RoundRecord, target: String, run runId: Int64) {
        guard contains(round.scheduledMs) else { return }
        if healthy[target].map({ $0.run != runId }) ?? false { closeHealthyRun(of: target) }
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

    private func contains(_ ms: Int64) -> Bool { ms >= window.sinceMs && ms < window.untilMs }
}
