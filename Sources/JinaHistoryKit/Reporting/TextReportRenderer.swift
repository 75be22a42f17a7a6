import Foundation

/// Renders a report for people: per target, availability with the seconds behind it, coverage, rounds,
/// latency, outages and recorder-offline gaps. Every number is the JSON report's, rounded for reading.
public enum TextReportRenderer {
    /// The report as text, ending with a newline.
    public static func render(_ report: HistoryReport) -> String {
        var lines = [
            "jina-history report  \(TimeText.rfc3339(report.window.sinceMs)) .. "
                + "\(TimeText.rfc3339(report.window.untilMs))  (UTC)"
        ]
        if report.targets.isEmpty { lines += ["", "no targets recorded in this database"] }
        for target in report.targets {
            lines.append("")
            lines.append(contentsOf: render(target))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func render(_ target: TargetReport) -> [String] {
        var lines = ["\(target.name)  (\(target.kind.rawValue), \(target.url))"]
        guard let availability = target.availability else {
            lines.append("  no data: no verdict covers any of this window (unknown \(seconds(target.unknownMs)))")
            lines.append(contentsOf: gaps(target.gaps))
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
            let end = outage.endedMs.map(TimeText.rfc3339) ?? "ongoing"
            let cause = [
                outage.firstFailure?.errorClass.rawValue, outage.layer?.rawValue,
                outage.firstFailure.flatMap { $0.deployment.isEmpty ? nil : "deployment \($0.deployment)" },
            ].compactMap { $0 }.joined(separator: ", ")
            lines.append(
                "    \(TimeText.rfc3339(outage.startedMs)) .. \(end)  \(seconds(outage.durationMs))  "
                    + "\(outage.failedRounds) failed rounds  \(cause)")
            if let failure = outage.firstFailure, !failure.message.isEmpty {
                lines.append("      \(failure.oneLineMessage(limit: 150))")
            }
        }
        lines.append(contentsOf: gaps(target.gaps))
        return lines
    }

    private static func gaps(_ gaps: [RecorderGap]) -> [String] {
        ["  recorder offline: \(gaps.isEmpty ? "never" : String(gaps.count))"]
            + gaps.map { gap in
                "    \(TimeText.rfc3339(gap.startedMs)) .. \(TimeText.rfc3339(gap.endedMs))  "
                    + "\(seconds(gap.durationMs))  \(gap.cause.rawValue)"
            }
    }

    private static func percent(_ ratio: Double) -> String { String(format: "%.3f%%", ratio * 100) }
    private static func seconds(_ ms: Int64) -> String { String(format: "%.3fs", Double(ms) / 1_000) }
    private static func ms(_ value: Double) -> String { String(format: "%.3f", value) }
}
