import Foundation

/// Renders a report for people: per target, availability with the seconds behind it, coverage, rounds,
/// latency, outages and recorder-offline gaps. Every number is the JSON report's, rounded for reading.
public enum TextReportRenderer {
    /// The report as text, ending with a newline.
    public static func render(_ report: HistoryReport) -> String {
        let window = report.window
        let since = TimeText.rfc3339(window.sinceMs, zone: window.zone)
        let until = TimeText.rfc3339(window.untilMs, zone: window.zone)
        var lines = ["jina-history report  \(since) .. \(until)  (times in \(window.zoneName))"]
        if report.targets.isEmpty { lines += ["", "no targets recorded in this database"] }
        for target in report.targets {
            lines.append("")
            lines.append(contentsOf: render(target) { TimeText.rfc3339($0, zone: window.zone) })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One target's lines; `time` formats a time in the report's zone.
    private static func render(_ target: TargetReport, time: (Int64) -> String) -> [String] {
        var lines = ["\(target.name)  (\(target.kind.rawValue), \(target.url))"]
        guard let availability = target.availability else {
            lines.append("  no data: no verdict covers this window outside maintenance "
                + "(unknown \(seconds(target.unknownMs)), maintenance \(seconds(target.maintenanceMs)))")
            lines.append(contentsOf: maintenance(target, time: time) + gaps(target.gaps, time: time))
            return lines
        }
        lines.append(
            "  availability \(percent(availability))  up \(seconds(target.upMs)), down \(seconds(target.downMs))")
        lines.append(
            "  coverage     \(target.coverage.map(percent) ?? "n/a")  unknown \(seconds(target.unknownMs))")
        let rounds = target.rounds
        lines.append(
            "  rounds \(rounds.total): \(rounds.up) up, \(rounds.down) down, \(rounds.skipped) skipped, "
                + "\(rounds.flaky) flaky; attempts \(target.attempts.total), \(target.attempts.ok) ok")
        let latency = LatencySummary(sortedMicroseconds: target.successLatenciesUs)
        if let mean = latency.mean, let p50 = latency.p50, let p95 = latency.p95, let p99 = latency.p99,
            let low = latency.min, let high = latency.max
        {
            lines.append(
                "  latency ms (\(latency.count) ok attempts): mean \(ms(mean))  p50 \(ms(p50))  p95 \(ms(p95))  "
                    + "p99 \(ms(p99))  min \(ms(low))  max \(ms(high))")
        }
        lines.append("  outages: \(target.outages.isEmpty ? "none" : String(target.outages.count))")
        for outage in target.outages {
            let end = outage.endedMs.map(time) ?? "ongoing"
            let cause = [
                outage.firstFailure?.errorClass.rawValue, outage.layer?.rawValue,
                outage.firstFailure.flatMap { $0.deployment.isEmpty ? nil : "deployment \($0.deployment)" },
            ].compactMap { $0 }.joined(separator: ", ")
            lines.append(
                "    \(time(outage.startedMs)) .. \(end)  \(seconds(outage.durationMs))  "
                    + "\(outage.failedRounds) failed rounds" + (outage.flaps > 0 ? ", \(outage.flaps) flaps" : "")
                    + "  \(cause)")
            if let failure = outage.firstFailure, !failure.message.isEmpty {
                lines.append("      \(failure.oneLineMessage(limit: 150))")
            }
        }
        lines.append(contentsOf: maintenance(target, time: time) + gaps(target.gaps, time: time))
        return lines
    }

    private static func maintenance(_ target: TargetReport, time: (Int64) -> String) -> [String] {
        guard !target.maintenance.isEmpty else { return [] }
        return ["  maintenance: \(seconds(target.maintenanceMs)) (not counted as up or down)"]
            + target.maintenance.map { window in
                let scope = window.targetId == nil ? "all targets" : "this target"
                return "    \(time(window.fromMs)) .. \(time(window.toMs))  \(scope)  \(window.note.oneLine(limit: 100))"
            }
    }

    private static func gaps(_ gaps: [RecorderGap], time: (Int64) -> String) -> [String] {
        ["  recorder offline: \(gaps.isEmpty ? "never" : String(gaps.count))"]
            + gaps.map { gap in
                "    \(time(gap.startedMs)) .. \(time(gap.endedMs))  "
                    + "\(seconds(gap.durationMs))  \(gap.cause.rawValue)"
            }
    }

    private static func percent(_ ratio: Double) -> String { ReportNumberText.percent(ratio) }
    private static func seconds(_ ms: Int64) -> String { ReportNumberText.seconds(ms) }
    private static func ms(_ value: Double) -> String { ReportNumberText.ms(value) }
}
