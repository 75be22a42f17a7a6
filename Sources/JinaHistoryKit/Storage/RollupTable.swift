/// The tables of rollup spans, finest first: hour spans (migration 0004) and the day spans joined from them
/// (migration 0005).
enum RollupTable: String, CaseIterable {
    case hour = "rollup"
    case day = "rollup_day"

    /// No span of the table crosses a multiple of this.
    var periodMs: Int64 {
        switch self {
        case .hour: RollupSpan.periodMs
        case .day: RollupSpan.dayMs
        }
    }

    /// The tables a database of `schemaVersion` has.
    static func tables(schemaVersion: Int) -> [RollupTable] {
        (schemaVersion >= 4 ? [.hour] : []) + (schemaVersion >= 5 ? [.day] : [])
    }
}
