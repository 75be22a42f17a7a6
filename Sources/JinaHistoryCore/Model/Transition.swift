/// A change of a target's state and the round that caused it.
public struct Transition: Hashable, Codable, Sendable {
    /// State before.
    public var from: TargetState
    /// State after (never `unknown`).
    public var to: TargetState
    /// When the causing round's verdict was known, UTC epoch milliseconds.
    public var atMs: Int64
    /// Slot of the round that reached the threshold.
    public var roundScheduledMs: Int64
    /// Slot of the first round of the streak that led here (an outage's `started_at`).
    public var streakStartedMs: Int64
    /// The streak's first failure, for a change to `down`.
    public var failure: FailureDetail?

    /// Creates a transition.
    public init(from: TargetState, to: TargetState, atMs: Int64, roundScheduledMs: Int64, streakStartedMs: Int64,
                failure: FailureDetail? = nil) {
        self.from = from
        self.to = to
        self.atMs = atMs
        self.roundScheduledMs = roundScheduledMs
        self.streakStartedMs = streakStartedMs
        self.failure = failure
    }
}
