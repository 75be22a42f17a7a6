import Foundation

/// How the text and markdown reports print numbers: the JSON report's values, rounded the same way in both.
enum ReportNumberText {
    /// A ratio as a percentage with three decimals, e.g. `99.875%`.
    static func percent(_ ratio: Double) -> String { String(format: "%.3f%%", ratio * 100) }
    /// Milliseconds as seconds with three decimals, e.g. `12.500s`.
    static func seconds(_ ms: Int64) -> String { String(format: "%.3fs", Double(ms) / 1_000) }
    /// Milliseconds with three decimals, no unit.
    static func ms(_ value: Double) -> String { String(format: "%.3f", value) }
}
