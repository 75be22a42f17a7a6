/// A target with the policy it is probed by.
public struct ScheduledTarget: Hashable, Codable, Sendable {
    /// Who.
    public var target: Target
    /// How.
    public var policy: ProbePolicy

    /// Pairs a target with its policy.
    public init(target: Target, policy: ProbePolicy) {
        self.target = target
        self.policy = policy
    }
}

/// A finished round ready to be stored, with the transition it caused.
public struct RecordedRound: Hashable, Sendable {
    /// Target row id.
    public var targetId: Int64
    /// The round.
    public var round: RoundRecord
    /// The state change it caused, if any.
    public var transition: Transition?

    /// Creates a recorded round.
    public init(targetId: Int64, round: RoundRecord, transition: Transition?) {
        self.targetId = targetId
        self.round = round
        self.transition = transition
    }
}
