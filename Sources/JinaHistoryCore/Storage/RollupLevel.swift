/// The two levels of rollup spans a store keeps (docs/storage.md): the spans the recorder cuts (by the clock hour,
/// or ten minutes below a 5 s interval, ``RollupSpan/periodMs(intervalMs:)``), and the day spans joined from them.
public enum RollupLevel: Sendable, CaseIterable {
    /// The spans the recorder cuts.
    case base
    /// Spans that continue one another within a UTC day, joined.
    case day

    /// No span of the level is longer than this: how far before a window's start a span may begin and still
    /// reach into it.
    public var longestMs: Int64 {
        switch self {
        case .base: RollupSpan.longestMs
        case .day: RollupSpan.dayMs
        }
    }

    /// The table that holds this level's spans, by the same name in both engines' schemas.
    public var table: String {
        switch self {
        case .base: "rollup"
        case .day: "rollup_day"
        }
    }
}
