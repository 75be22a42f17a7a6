/// Hysteresis over round verdicts (docs/semantics.md §4): `up → down` after `failureThreshold` consecutive down
/// rounds, `down → up` after `successThreshold` consecutive up rounds. From `unknown` the first verdict decides
/// at once: there is no earlier state to protect from flapping. Skipped slots are no evidence and change nothing.
///
/// The recorder and the report run this same type, so stored transitions and reported outages agree.
public struct StateMachine: Sendable {
    /// Current state.
    public private(set) var state: TargetState
    private let failureThreshold: Int
    private let successThreshold: Int
    private var streak: (verdict: RoundVerdict, count: Int, startedMs: Int64, failure: FailureDetail?)?

    /// Starts in `state` (`unknown` at the start of a recorder run).
    public init(failureThreshold: Int = 1, successThreshold: Int = 1, state: TargetState = .unknown) {
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.state = state
    }

    /// Whether a round of `verdict` would only continue what the machine already is: the state matches the verdict
    /// and the current streak has that verdict too. Any number of such rounds cause no transition and leave the
    /// machine as it is but for the streak's length, which matters only once the verdict changes (and then a
    /// new streak starts), so a report may skip them (``RollupSpan``).
    public func isSteady(_ verdict: RoundVerdict) -> Bool {
        guard let streak, verdict != .skipped else { return false }
        return streak.verdict == verdict && state == (verdict == .up ? .up : .down)
    }

    /// A machine that is already steady in `verdict`'s state, as the recorder's was inside a span whose
    /// earlier rounds a report does not have (pruned).
    public static func steady(_ verdict: RoundVerdict, since startedMs: Int64, failureThreshold: Int,
                              successThreshold: Int) -> StateMachine {
        var machine = StateMachine(failureThreshold: failureThreshold, successThreshold: successThreshold,
                                   state: verdict == .up ? .up : .down)
        machine.streak = (verdict, 1, startedMs, nil)
        return machine
    }

    /// Feeds one round; returns the transition it causes, if any.
    public mutating func observe(_ round: RoundRecord) -> Transition? {
        guard round.verdict != .skipped else { return nil }
        if let current = streak, current.verdict == round.verdict {
            streak = (current.verdict, current.count + 1, current.startedMs, current.failure)
        } else {
            streak = (round.verdict, 1, round.scheduledMs, round.firstFailure)
        }
        guard let streak else { return nil }
        let target: TargetState = streak.verdict == .up ? .up : .down
        guard target != state else { return nil }
        let threshold = target == .up ? successThreshold : failureThreshold
        guard state == .unknown || streak.count >= threshold else { return nil }
        let transition = Transition(
            from: state, to: target, atMs: round.verdictMs, roundScheduledMs: round.scheduledMs,
            streakStartedMs: streak.startedMs, failure: target == .down ? streak.failure : nil)
        state = target
        return transition
    }
}
