/// Slots whose rounds a report reads raw, and the one target they are read for (`nil`: every target's).
public struct SlotStretch: Hashable, Sendable {
    /// Slots, UTC epoch ms, `[from, until)`.
    public var range: Range<Int64>
    /// The only target whose rows are wanted, or `nil` for all.
    public var targetId: Int64?

    /// Creates a stretch.
    public init(_ range: Range<Int64>, targetId: Int64?) {
        self.range = range
        self.targetId = targetId
    }
}
