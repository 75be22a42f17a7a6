import Foundation
public import JinaHistoryCore

/// Renders a report for people: per target, availability with the seconds behind it, coverage, rounds,
/// latency, outages and recorder-offline gaps. Every number is the JSON report's, rounded for reading.
public enum TextReportRenderer {
    /// The report as text, ending with a newline; 80 columns wide. `colour` adds ANSI colours to the strips
    /// (for a terminal that did not ask for `NO_COLOR`).
    public static func render(_ report: HistoryReport, colour: Bool = false) -> String {
        let window = report.window
        let since = TimeText.rfc3339(window.sinceMs, zone: window.zone)
        let until = TimeText.rfc3339(window.untilMs, zone: window.zone)
        var lines = ["jina-history report (times in \(window.zoneName))", "window  \(since) .. \(until)"]
        if report.targets.isEmpty { lines += ["", "no targets recorded in this database"] }
        if !report.targets.isEmpty { lines += [""] + summary(report.targets) }
        for target in report.targets {
            lines.append("")
            lines.append(contentsOf: render(target, colour: colour) { TimeText.rfc3339($0, zone: window.zone) })
        }
        if !report.storageFaults.isEmpty {
            lines += ["", "storage faults: \(report.storageFaults.count) (probing went on; rounds waited in memory)"]
            for fault in report.storageFaults {
                let time = { TimeText.rfc3339($0, zone: window.zone) }
                lines.append("  \(time(fault.fromMs)) .. \(time(fault.toMs))")
                lines.append("    \(seconds(fault.durationMs)), \(fault.failedWrites) failed writes, "
                    + "\(fault.roundsDropped) rounds dropped")
                lines.append("    \(fault.message.oneLine(limit: 74))")
            }
        }
        lines += ["", "strip: \(TargetReport.stripBuckets) buckets; = up, # some down, . some unknown, m maintenance"
            + (report.targets.contains { !$0.vantages.isEmpty } ? ", ~ partial" : "")]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per target: the numbers to read first.
    private static func summary(_ targets: [TargetReport]) -> [String] {
        func column(_ text: String, _ width: Int) -> String {
            text.count > width ? String(text.prefix(width - 3)) + "..." : text.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return [column("target", 34) + right("availability", 13) + right("coverage", 10) + right("outages", 9)
            + right("p95 ms", 11)]
            + targets.map { target in
                let p95 = target.successLatency.p95.map(ms) ?? "-"
                return column(target.name.oneLine(limit: 200), 34) + right(ReportNumberText.availability(target) ?? "no data", 13)
                    + right(ReportNumberText.coverage(target) ?? "n/a", 10) + right("\(target.outages.count)", 9)
                    + right(p95, 11)
            }
    }

    /// The strip of a target, coloured when asked.
    private static func strip(_ states: [TargetReport.BucketState], colour: Bool) -> String {
        guard colour else { return String(states.map(\.symbol)) }
        return states.map { state -> String in
            let code = switch state {
            case .up: "32"
            case .down: "31"
            case .unknown: "2"
            case .maintenance: "34"
            case .partial: "33"
            }
            return "\u{1B}[\(code)m\(state.symbol)\u{1B}[0m"
        }.joined()
    }

    /// One target's lines; `time` formats a time in the report's zone. Its outages are listed whatever else
    /// there is: a window all in maintenance has no availability, but its outages are not hidden.
    private static func render(_ target: TargetReport, colour: Bool, time: (Int64) -> String) -> [String] {
        var lines = [target.name.oneLine(limit: 77), "  \(target.kind.rawValue) at \(target.url.oneLine(limit: 60))"]
        if !target.labels.isEmpty { lines.append("  labels \(labelText(target.labels).oneLine(limit: 69))") }
        lines.append("  strip  [\(strip(target.strip, colour: colour))]")
        if let availability = ReportNumberText.availability(target) {
            lines.append("  availability \(availability)  up \(seconds(target.upMs)), down \(seconds(target.downMs))")
            lines.append(
                "  coverage     \(ReportNumberText.coverage(target) ?? "n/a")  unknown \(seconds(target.unknownMs))")
            if !target.vantages.isEmpty {
                lines.append("  partial \(seconds(target.partialMs)) (vantages disagreed, counted as up); "
                    + "everywhere \(ReportNumberText.availabilityEverywhere(target) ?? "n/a")")
            }
        } else {
            lines.append("  no data: no verdict covers this window outside maintenance")
            lines.append("  unknown \(seconds(target.unknownMs)), maintenance \(seconds(target.maintenanceMs))")
            guard target.rounds.total > 0 || !target.outages.isEmpty else {
                return lines + maintenance(target, time: time) + gaps(target.gaps, time: time)
            }
        }
        if let policy = target.policy {
            lines.append("  every \(seconds(policy.intervalMs)), timeout \(seconds(policy.timeoutMs)), attempts "
                + "\(policy.attempts), thresholds down \(policy.failureThreshold) / up \(policy.successThreshold)")
        }
        let rounds = target.rounds
        lines.append(
            "  rounds \(rounds.total): \(rounds.up) up, \(rounds.down) down, \(rounds.skipped) skipped, "
                + "\(rounds.flaky) flaky; attempts \(target.attempts.total), \(target.attempts.ok) ok")
        let latency = target.successLatency
        if let mean = latency.mean, let p50 = latency.p50, let p95 = latency.p95, let p99 = latency.p99,
            let low = latency.min, let high = latency.max
        {
            lines.append("  latency ms (\(latency.count) ok attempts): mean \(ms(mean))  min \(ms(low))  max \(ms(high))")
            lines.append("    p50 \(ms(p50))  p95 \(ms(p95))  p99 \(ms(p99))")
        }
        lines.append("  outages: \(target.outages.isEmpty ? "none" : String(target.outages.count))")
        for outage in target.outages {
            let end = outage.endedMs.map(time) ?? "ongoing"
            let cause = [
                outage.firstFailure?.errorClass.rawValue, outage.layer?.rawValue,
                outage.firstFailure.flatMap { $0.deployment.isEmpty ? nil : "deployment \($0.deployment)" },
            ].compactMap { $0 }.joined(separator: ", ")
            lines.append("    \(time(outage.startedMs)) .. \(end)  \(seconds(outage.durationMs))")
            let detail = "\(outage.failedRounds) failed rounds" + (outage.flaps > 0 ? ", \(outage.flaps) flaps" : "")
                + (cause.isEmpty ? "" : ", \(cause)")
            lines.append("      \(detail.oneLine(limit: 74))")
            if let failure = outage.firstFailure, !failure.message.isEmpty {
                lines.append("      \(failure.oneLineMessage(limit: 71))")
            }
            if !outage.vantages.isEmpty {
                lines.append("      seen from \(outage.vantages.joined(separator: ", "))".oneLine(limit: 80))
            }
            if target.vantage != nil, outage.vantageWide {
                lines.append("      vantage-wide: every target failed here at once; its network, likely")
            }
        }
        if !target.vantages.isEmpty { lines.append(contentsOf: vantages(target, time: time)) }
        lines.append(contentsOf: maintenance(target, time: time) + gaps(target.gaps, time: time))
        return lines
    }

    /// A combined view's partial outages, then each vantage's own account in short (docs/semantics.md §9).
    private static func vantages(_ target: TargetReport, time: (Int64) -> String) -> [String] {
        var lines = ["  partial outages: \(target.partialOutages.isEmpty ? "none" : String(target.partialOutages.count))"]
        for partial in target.partialOutages {
            lines.append("    \(time(partial.startedMs)) .. \(time(partial.endedMs))  \(seconds(partial.durationMs))")
            let wide = partial.vantageWide.isEmpty ? ""
                : " (vantage-wide: \(partial.vantageWide.joined(separator: ", ")))"
            lines.append(("      down from \(partial.failing.joined(separator: ", "))\(wide); "
                + "up from \(partial.reachable.joined(separator: ", "))").oneLine(limit: 80))
        }
        lines.append("  vantages: \(target.vantages.count)")
        for account in target.vantages {
            let wide = account.outages.filter(\.vantageWide).count
            lines.append("    \(account.vantage ?? "")".oneLine(limit: 80))
            lines.append("      availability \(ReportNumberText.availability(account) ?? "no data"), up "
                + "\(seconds(account.upMs)), down \(seconds(account.downMs)), unknown \(seconds(account.unknownMs))")
            lines.append("      outages \(account.outages.count)" + (wide > 0 ? " (\(wide) vantage-wide)" : "")
                + ", rounds \(account.rounds.total), \(account.rounds.down) down")
        }
        return lines
    }

    private static func maintenance(_ target: TargetReport, time: (Int64) -> String) -> [String] {
        func line(_ window: MaintenanceWindow) -> String {
            let scope = window.targetId == nil ? "all targets" : "this target"
            let deleted = window.deletedMs.map { ", deleted \(time($0))" } ?? ""
            return "    \(time(window.fromMs)) .. \(time(window.toMs))\n      #\(window.id) \(scope)\(deleted)  "
                + window.note.oneLine(limit: 40)
        }
        var lines: [String] = []
        if !target.maintenance.isEmpty {
            lines += ["  maintenance: \(seconds(target.maintenanceMs)) (not counted as up or down)"]
                + target.maintenance.map(line)
        }
        if !target.deletedMaintenance.isEmpty {
            lines += ["  maintenance deleted: \(target.deletedMaintenance.count) (counted as if never annotated)"]
                + target.deletedMaintenance.map(line)
        }
        return lines
    }

    private static func gaps(_ gaps: [RecorderGap], time: (Int64) -> String) -> [String] {
        ["  recorder offline: \(gaps.isEmpty ? "never" : String(gaps.count))"]
            + gaps.map { gap in
                "    \(time(gap.startedMs)) .. \(time(gap.endedMs))\n      \(seconds(gap.durationMs))  \(gap.cause.rawValue)"
            }
    }

    /// Labels as `key=value` pairs in key order.
    static func labelText(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    private static func seconds(_ ms: Int64) -> String { ReportNumberText.seconds(ms) }
    private static func ms(_ value: Double) -> String { ReportNumberText.ms(value) }
}
