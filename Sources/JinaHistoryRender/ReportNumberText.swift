import Foundation
public import JinaHistoryCore

/// How the reports print numbers for people: the JSON report's values, rounded the same way in every format
/// (docs/semantics.md §5, "Printed numbers").
public enum ReportNumberText {
    /// `part / whole` as a percentage **rounded down** to `decimals` decimals (three by default), e.g. `99.875%`:
    /// 99.9996 % reads 99.999 %, never 100 %, and a share below a threshold never reads as reaching it. Counted
    /// in integers, so 46 / 100 reads 46.000 %, not 45.999 %.
    public static func percent(_ part: Int64, of whole: Int64, decimals: Int = 3) -> String {
        precondition(whole > 0 && (0...whole).contains(part) && (0...15).contains(decimals))
        let unit = (0..<decimals).reduce(Int64(1)) { power, _ in power * 10 }
        let (hundredths, _) = whole.dividingFullWidth(part.multipliedFullWidth(by: 100 * unit))
        let fraction = decimals == 0 ? "" : "." + String(String(hundredths % unit).reversed())
            .padding(toLength: decimals, withPad: "0", startingAt: 0).reversed()
        return "\(hundredths / unit)\(fraction)%"
    }

    /// A target's availability (up over up and down time) as printed, `nil` without evidence.
    public static func availability(_ target: TargetReport, decimals: Int = 3) -> String? {
        let judged = target.upMs + target.partialMs + target.downMs
        return judged > 0 ? percent(target.upMs + target.partialMs, of: judged, decimals: decimals) : nil
    }

    /// A combined view's availability from everywhere (partial time counted as down), `nil` with no evidence.
    static func availabilityEverywhere(_ target: TargetReport) -> String? {
        let judged = target.upMs + target.partialMs + target.downMs
        return judged > 0 ? percent(target.upMs, of: judged) : nil
    }

    /// A target's coverage as printed, `nil` for a window that is all maintenance.
    static func coverage(_ target: TargetReport) -> String? {
        let evidence = target.upMs + target.partialMs + target.downMs
        let outsideMaintenance = evidence + target.unknownMs
        return outsideMaintenance > 0 ? percent(evidence, of: outsideMaintenance) : nil
    }

    /// Milliseconds as seconds with three decimals, e.g. `12.500s`.
    static func seconds(_ ms: Int64) -> String { String(format: "%.3fs", Double(ms) / 1_000) }
    /// Milliseconds with three decimals, no unit.
    static func ms(_ value: Double) -> String { String(format: "%.3f", value) }
}
