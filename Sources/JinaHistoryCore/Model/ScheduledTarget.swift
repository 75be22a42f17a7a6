/// A target with the policy it is probed by.
public struct ScheduledTarget: Hashable, Codable, Sendable {
    /// Who.
    public var target: Target
    /// How.
    public var policy: ProbePolicy
    /// Whom its confirmed transitions are told to.
    public var alerts: AlertPolicy

    /// Pairs a target with its policy and, optionally, its notifications.
    public init(target: Target, policy: ProbePolicy, alerts: AlertPolicy = .none) {
        self.target = target
        self.policy = policy
        self.alerts = alerts
    }

    /// The longest a round can keep its target busy: every attempt to its deadline with the pauses between them
    /// and, for a flow or deployment, the gateway-liveness call a failed round makes after its verdict.
    public var longestRoundCallsMs: Int64 {
        let attempts = policy.longestRoundMs
        return attempts + (target.kind.checksGatewayLayer ? policy.gatewayLivenessTimeoutMs(elapsedMs: attempts) : 0)
    }

    /// The slots a round that takes ``longestRoundCallsMs`` runs past, which the recorder stores as skipped.
    public var slotsAHungRoundSkips: Int64 {
        max(0, (longestRoundCallsMs + policy.intervalMs - 1) / policy.intervalMs - 1)
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
