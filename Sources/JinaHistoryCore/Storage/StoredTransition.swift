/// A stored state change with the target and recorder run it belongs to.
public struct StoredTransition: Hashable, Sendable {
    /// Target row id.
    public var targetId: Int64
    /// Recorder run row id.
    public var runId: Int64
    /// The change.
    public var transition: Transition

    /// Creates a stored transition.
    public init(targetId: Int64, runId: Int64, transition: Transition) {
        self.targetId = targetId
        self.runId = runId
        self.transition = transition
    }
}
