/// Cuts one target's rounds of one recorder run into ``RollupSpan``s as they are recorded. A round joins the
/// open span only when it continues what the target already was: no transition, the same verdict as the round
/// before it, a state that matches that verdict, and the next slot of the grid. Anything else (a transition, a
/// skipped slot, a missing round, a new slot of the clock) closes the span; the round itself starts a new one only
/// if it too was steady. Closed spans worth storing are joined into day spans as long as they continue one another.
/// The rounds no stored span will cover are gathered into ``LooseRounds``, handed out by ``takeLoose()``.
public struct RollupTracker: Sendable {
    /// The target's interval in this run.
    public let intervalMs: Int64
    /// Target row id.
    public let targetId: Int64
    /// Recorder run row id.
    public let runId: Int64
    private var state = TargetState.unknown
    private var lastVerdict: RoundVerdict?
    /// The span still growing.
    public private(set) var open: RollupSpan?
    /// The closed, stored spans joined so far into one stretch within a UTC day.
    public private(set) var day: RollupSpan?
    /// Rounds no stored span covers, not yet handed out: consecutive, within one clock hour.
    private var loose: [RoundRecord] = []
    /// The open span's rounds while it is too short to be stored: loose rounds if it closes so.
    private var openRounds: [RoundRecord] = []
    /// Loose stretches complete and not yet taken.
    private var ready: [LooseRounds] = []

    /// Starts tracking a target at the start of a run (state unknown).
    public init(intervalMs: Int64, targetId: Int64, runId: Int64) {
        self.intervalMs = intervalMs
        self.targetId = targetId
        self.runId = runId
    }

    /// Feeds the next round with the transition the recorder's state machine made for it.
    ///
    /// - returns: the span this round closed, if any.
    public mutating func observe(_ round: RoundRecord, transition: Transition?) -> RollupSpan? {
        let closed: RollupSpan?
        defer {
            if round.verdict != .skipped { lastVerdict = round.verdict }
            if let transition { state = transition.to }
        }
        guard round.verdict != .skipped else {
            closed = open
            open = nil
            closed.map { close($0) }
            addLoose(round)
            return closed
        }
        let steady = transition == nil && lastVerdict == round.verdict
            && state == (round.verdict == .up ? .up : .down)
        if steady, var span = open, span.accepts(round, intervalMs: intervalMs) {
            span.extend(with: round)
            open = span
            grew(span, with: round)
            return nil
        }
        closed = open
        closed.map { close($0) }
        if steady {
            let span = RollupSpan(first: round, targetId: targetId, runId: runId)
            open = span
            grew(span, with: round)
        } else {
            open = nil
            addLoose(round)
        }
        return closed
    }

    /// The loose stretches completed since the last call, to store in the transaction of the rounds that ended
    /// them.
    public mutating func takeLoose() -> [LooseRounds] {
        defer { ready = [] }
        return ready
    }

    /// The growing span closed as the run ends, the day span it grows (none when it is alone: a report searches
    /// for spans at the end of a run anyway, and a copy of its row would cost a short run's history more than
    /// it saves), and the loose rounds still held.
    public func closingRun() -> (open: RollupSpan?, day: RollupSpan?, loose: [LooseRounds]) {
        var ending = self
        ending.open.map { ending.close($0) }
        ending.flushLoose()
        let alone = ending.day != nil && ending.day?.firstMs == open?.firstMs
        return (open, alone ? nil : ending.day, ending.ready)
    }

    /// Ends `closed`: joins it into its day span, and if it is too short to be stored, its rounds are loose.
    private mutating func close(_ closed: RollupSpan) {
        joinDay(closed)
        if !closed.isWorthStoring { openRounds.forEach { addLoose($0) } }
        openRounds = []
    }

    /// Keeps the open span's rounds until it is long enough to be stored; then the loose rounds before it are
    /// complete.
    private mutating func grew(_ span: RollupSpan, with round: RoundRecord) {
        if span.isWorthStoring {
            flushLoose()
            openRounds = []
        } else {
            openRounds.append(round)
        }
    }

    private mutating func addLoose(_ round: RoundRecord) {
        if let first = loose.first, loose.count >= LooseRounds.maximumRounds
            || first.scheduledMs.floorDivided(by: LooseRounds.periodMs)
                != round.scheduledMs.floorDivided(by: LooseRounds.periodMs)
        {
            flushLoose()
        }
        loose.append(round)
    }

    private mutating func flushLoose() {
        guard !loose.isEmpty else { return }
        ready.append(LooseRounds(targetId: targetId, runId: runId, rounds: loose))
        loose = []
    }

    /// Joins a closed span into the day span, or starts a new one with it (even one span alone is a day span:
    /// then every closed stored span lies in one, and a report looks for spans outside them only where it must);
    /// a span too short to be stored ends the day span, which must only hold stored spans.
    private mutating func joinDay(_ closed: RollupSpan) {
        guard closed.isWorthStoring else {
            day = nil
            return
        }
        if var joined = day, joined.isContinued(by: closed, intervalMs: intervalMs) {
            joined.join(closed)
            day = joined
        } else {
            day = closed
        }
    }
}
