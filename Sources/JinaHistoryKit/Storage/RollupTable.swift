/// The tables of rollup spans, finest first: the spans the recorder cuts (migration 0004; by the clock hour or
/// ten minutes, ``RollupSpan/periodMs(intervalMs:)``) and the day spans joined from them (migration 0005).
enum RollupTable: String, CaseIterable {
    case base = "rollup"
    case day = "rollup_day"

    /// No span of the table is longer than this: how far before a window's start a span may begin and still
    /// reach into it.
    var longestMs: Int64 {
        switch self {
        case .base: RollupSpan.longestMs
        case .day: RollupSpan.dayMs
        }
    }

    /// The tables a database of `schemaVersion` has.
    static func tables(schemaVersion: Int) -> [RollupTable] {
        (schemaVersion >= 4 ? [.base] : []) + (schemaVersion >= 5 ? [.day] : [])
    }
}
