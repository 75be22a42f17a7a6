/// Slots whose rounds a report reads raw, and the one target they are read for (`nil`: every target's).
struct SlotStretch {
    /// Slots, UTC epoch ms, `[from, until)`.
    var range: Range<Int64>
    /// The only target whose rows are wanted, or `nil` for all.
    var targetId: Int64?

    init(_ range: Range<Int64>, targetId: Int64?) {
        self.range = range
        self.targetId = targetId
    }
}
