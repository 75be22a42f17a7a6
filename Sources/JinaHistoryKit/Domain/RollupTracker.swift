/// Cuts one target's rounds of one recorder run into ``RollupSpan``s as they are recorded. A round joins the
/// open span only when it continues what the target already was: no transition, the same verdict as the round
/// before it, a state that matches that verdict, and the next slot of the grid. Anything else (a transition, a
/// skipped slot, a missing round, a new clock hour) closes the span; the round itself starts a new one only if
/// it too was steady. Closed spans worth storing are joined into day spans as long as they continue one another.
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
    /// The closed, stored spans joined so far into one stretch within a UTC day, and how many.
    private var day: RollupSpan?
    private var dayParts = 0

    /// The day span the last closed span grew, once it joins two or more spans (one alone would repeat its row).
    public var storableDay: RollupSpan? { dayParts >= 2 ? day : nil }

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
            closed.map { joinDay($0) }
            return closed
        }
        let steady = transition == nil && lastVerdict == round.verdict
            && state == (round.verdict == .up ? .up : .down)
        if steady, var span = open, span.accepts(round, intervalMs: intervalMs) {
            span.extend(with: round)
            open = span
            return nil
        }
        closed = open
        open = steady ? RollupSpan(first: round, targetId: targetId, runId: runId) : nil
        closed.map { joinDay($0) }
        return closed
    }

    /// The growing span closed as the run ends, and the day span it grows (when storable).
    public func closingRun() -> (open: RollupSpan?, day: RollupSpan?) {
        var ending = self
        ending.open.map { ending.joinDay($0) }
        return (open, ending.storableDay)
    }

    /// Joins a closed span into the day span, or starts a new one with it; a span too short to be stored ends
    /// the day span, which must only hold stored spans.
    private mutating func joinDay(_ closed: RollupSpan) {
        guard closed.isWorthStoring else {
            day = nil
            dayParts = 0
            return
        }
        if var joined = day, joined.isContinued(by: closed, intervalMs: intervalMs) {
            joined.join(closed)
            day = joined
            dayParts += 1
        } else {
            day = closed
            dayParts = 1
        }
    }
}
