import Foundation
import JinaHistoryCore

/// Ticks for the HTML charts: times at round steps of the window's zone (whole minutes, hours, local midnights),
/// and latencies at 1, 2 or 5 × 10ⁿ ms, so a reader can tell when and how slow without hovering.
enum ChartAxis {
    /// Steps a time axis may use, the smallest giving at most `most` ticks wins.
    private static let timeSteps: [Int64] = [
        1, 5, 15, 30, 60, 300, 900, 1_800, 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600, 86_400, 2 * 86_400, 7 * 86_400,
        14 * 86_400, 30 * 86_400,
    ].map { $0 * 1_000 }

    /// The ticks inside `window`: their times and labels in its zone (`HH:mm`, `HH:mm:ss` under a minute, `MM-dd`
    /// from a day; a tick at local midnight is labelled with its date).
    static func timeTicks(_ window: ReportWindow, most: Int = 8) -> [(ms: Int64, label: String)] {
        let step = timeSteps.first { window.lengthMs / $0 <= Int64(most) } ?? timeSteps.last!
        let zone = window.zone
        let offsetMs = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(window.sinceMs) / 1_000))) * 1_000
        // Aligned in local time: midnights for a day or more, multiples of the step since local midnight below.
        var tick = ((window.sinceMs + offsetMs) / step + 1) * step - offsetMs
        if step >= 86_400_000 {
            tick = ((window.sinceMs + offsetMs) / 86_400_000 + 1) * 86_400_000 - offsetMs
        }
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        var ticks: [(Int64, String)] = []
        while tick < window.untilMs, ticks.count < most * 2 {
            let date = Date(timeIntervalSince1970: Double(tick) / 1_000)
            let midnight = (tick + offsetMs) % 86_400_000 == 0
            formatter.dateFormat = step >= 86_400_000 || (midnight && window.lengthMs > 86_400_000) ? "MM-dd"
                : step < 60_000 ? "HH:mm:ss" : "HH:mm"
            ticks.append((tick, formatter.string(from: date)))
            tick += step
        }
        return ticks
    }

    /// Gridline values from 0 up to `top` ms, at a round step giving 3 to 6 lines.
    static func valueTicks(top: Double) -> [Double] {
        guard top > 0 else { return [] }
        let magnitude = pow(10, floor(log10(top / 4)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { top / $0 <= 5 } ?? 10 * magnitude
        return stride(from: step, through: top, by: step).map { $0 }
    }

    /// A latency label: `250 ms`, `1.5 ms`, `2 s`.
    static func milliseconds(_ value: Double) -> String {
        value >= 1_000 ? String(format: "%g s", value / 1_000) : String(format: "%g ms", value)
    }
}
