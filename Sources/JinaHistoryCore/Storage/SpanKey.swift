/// What identifies a stored span or loose stretch: the rounds of one target and run from one slot to another.
public struct SpanKey: Hashable, Sendable {
    /// Target row id.
    public var targetId: Int64
    /// Recorder run row id.
    public var runId: Int64
    /// Slot of its first round, UTC epoch ms.
    public var firstMs: Int64
    /// Slot of its last round.
    public var lastMs: Int64

    /// Creates a key.
    public init(targetId: Int64, runId: Int64, firstMs: Int64, lastMs: Int64) {
        self.targetId = targetId
        self.runId = runId
        self.firstMs = firstMs
        self.lastMs = lastMs
    }

    /// The stores' order: by first slot, then target, then run.
    public static func inKeyOrder(_ a: SpanKey, _ b: SpanKey) -> Bool {
        (a.firstMs, a.targetId, a.runId) < (b.firstMs, b.targetId, b.runId)
    }
}
